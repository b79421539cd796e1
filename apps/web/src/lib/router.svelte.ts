/**
 * A tiny history router: the path and query are state, `<a href="/...">` clicks inside the app
 * navigate without a reload, and the server answers every extension-less path with index.html.
 */

export const route = $state({ path: '/', search: '' })

function read(): void {
  route.path = location.pathname.replace(/\/+$/, '') || '/'
  route.search = location.search
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === location.pathname + location.search) return
  if (options.replace) history.replaceState(null, '', to)
  else history.pushState(null, '', to)
  read()
  // A new page starts at its top, and a screen reader hears where it is.
  if (!options.replace) {
    scrollTo(0, 0)
    queueMicrotask(() => document.querySelector<HTMLElement>('main h1')?.focus())
  }
}

/** The query as an object, and a way to change it in place (filters kept in the URL). */
export function queryParams(): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(route.search))
}
export function setQuery(params: Record<string, string | undefined>): void {
  const next = new URLSearchParams()
  for (const [key, value] of Object.entries(params)) if (value) next.set(key, value)
  const search = next.toString()
  navigate(`${route.path}${search ? `?${search}` : ''}`, { replace: true })
}

export type Params = Record<string, string>

/** `/apps/:id` against `/apps/abc` → `{ id: 'abc' }`; null when it does not match. */
export function matchPath(pattern: string, path: string): Params | null {
  const want = pattern.split('/')
  const have = path.split('/')
  if (want.length !== have.length) return null
  const params: Params = {}
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!
    const h = have[i]!
    if (w.startsWith(':')) {
      if (!h) return null
      params[w.slice(1)] = decodeURIComponent(h)
    } else if (w !== h) return null
  }
  return params
}

export function startRouter(): void {
  read()
  addEventListener('popstate', read)
  document.addEventListener('click', (event) => {
    if (event.defaultPrevented || event.button !== 0) return
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return
    const anchor = (event.target as Element | null)?.closest?.('a')
    if (!anchor || anchor.target || anchor.hasAttribute('download')) return
    const url = new URL(anchor.href, location.href)
    if (url.origin !== location.origin || url.pathname.startsWith('/api/')) return
    // An anchor on this page (#section) is the browser's job.
    if (url.hash && url.pathname === location.pathname && url.search === location.search) return
    event.preventDefault()
    navigate(url.pathname + url.search)
  })
}
