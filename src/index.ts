// placeholder: replaced by the wiring of main.ts
