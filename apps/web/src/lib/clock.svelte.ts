/** "now", ticking every 15 s while something shows an age ("3 min ago"). */
export const clock = $state({ now: Date.now() })
let ticking = false
export function startClock(): void {
  if (ticking) return
  ticking = true
  setInterval(() => {
    clock.now = Date.now()
  }, 15_000)
}
