// The application's own readiness signal, for the browser tests (and anyone automating the UI):
//
//   <html data-ready="1">  no navigation under way, no API request in flight, no lazy chunk
//                          loading, no debounced load waiting, and every chart has drawn the
//                          data it was last given;
//   <html data-ready="0">  otherwise. data-pending says how many of those are outstanding.
//
// Tests wait for this instead of sleeping: a fixed delay is either too short on a busy machine or
// wasted time on a quiet one. Work registers itself with busy() and releases the handle it gets;
// a handle releases once however often it is called, so a finally block cannot unbalance it.

let pending = 0

function publish(): void {
  if (typeof document === 'undefined') return
  const h = document.documentElement
  h.dataset.pending = String(pending)
  h.dataset.ready = pending === 0 ? '1' : '0'
}

/** Marks one piece of work as outstanding; call the returned function when it is done. */
export function busy(): () => void {
  pending++
  publish()
  let done = false
  return () => {
    if (done) return
    done = true
    pending--
    publish()
  }
}

/** Holds the page busy until the promise settles (a lazy chunk, an upload) and passes it on. */
export function whileLoading<T>(p: Promise<T>): Promise<T> {
  const release = busy()
  return p.finally(release)
}

/** The one navigation in progress, if any (a newer navigation replaces an older one). */
let navRelease: (() => void) | null = busy() // the first navigation starts with the app

export function navigationStarted(): void {
  if (!navRelease) navRelease = busy()
}

export function navigationEnded(): void {
  navRelease?.()
  navRelease = null
}

publish()
