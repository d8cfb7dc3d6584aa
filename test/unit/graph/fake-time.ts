/** A fake clock whose sleep advances time at once, so retry and pacing tests never wait. */
export function fakeTime(start = 1_000_000): {
  now: () => number
  sleep: (ms: number) => Promise<void>
  slept: number[]
} {
  let t = start
  const slept: number[] = []
  return {
    now: () => t,
    sleep: async (ms) => {
      slept.push(ms)
      t += ms
    },
    slept
  }
}
