/**
 * Texts from the provisioning logs (reasons, warnings) quote the values that failed, e.g. a userPrincipalName. By
 * default (summary-detail: ids) quoted values are hidden, so summaries, annotations and report files name records
 * by externalId, file and line only.
 */
export function publicText(value: string, full: boolean): string {
  if (full) return value
  return value.replace(/'[^']*'/g, "'…'").replace(/"[^"]*"/g, '"…"')
}
