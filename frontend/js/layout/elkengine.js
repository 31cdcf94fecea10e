/**
 * Runs ELK (the global from vendor/elkjs/elk.bundled.js) in a Web Worker, so laying out a
 * large graph never freezes the page; falls back to running it in the page when workers
 * are unavailable. A newer layout cancels an older one still in flight.
 */

const ELK = globalThis.ELK;

/** The worker build, relative to the page. */
export const WORKER_URL = "vendor/elkjs/elk-worker.min.js";

/** Thrown when a layout ran past its time limit (the worker running it is ended). */
export class LayoutTimeout extends Error {
  constructor(ms) {
    super(`layout took longer than ${ms} ms`);
    this.name = "LayoutTimeout";
  }
}

/** Thrown to the caller whose layout a newer one replaced. */
export class LayoutCancelled extends Error {
  constructor() {
    super("layout replaced by a newer one");
    this.name = "LayoutCancelled";
  }
}

export function createLayoutEngine({ workerUrl = WORKER_URL } = {}) {
  let elk = null;
  let useWorker = typeof Worker === "function";
  /** Settle the layout in flight as cancelled, if any. */
  let cancelPending = null;
  /** Redo the layout in flight in the page, after the worker failed to load. */
  let retryInPage = null;

  function make() {
    if (useWorker) {
      try {
        const worker = new Worker(workerUrl);
        worker.addEventListener("error", (event) => {
          event.preventDefault();
          useWorker = false;
          elk = null;
          retryInPage?.();
        });
        return new ELK({ workerFactory: () => worker });
      } catch {
        useWorker = false;
      }
    }
    return new ELK();
  }

  /** End the worker, which is the only way to stop it mid-layout. */
  function stopWorker() {
    if (useWorker) {
      elk?.terminateWorker();
      elk = null;
    }
  }

  /** Stop the layout in flight; its promise rejects with LayoutCancelled. */
  function cancel() {
    if (!cancelPending) return;
    cancelPending();
    stopWorker();
  }

  /**
   * Lay out an ELK graph (see elk.toElkGraph); resolves to ELK's answer.
   * @param {object} graph
   * @param {{timeoutMs?: number}} [options]  reject with LayoutTimeout after this long
   *   (enforced only when ELK runs in a worker; in the page it cannot be interrupted)
   * @returns {Promise<object>}
   */
  function layout(graph, { timeoutMs = Infinity } = {}) {
    cancel();
    return new Promise((resolve, reject) => {
      let settled = false;
      let timer = null;
      const settle = (fn) => (value) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        cancelPending = null;
        retryInPage = null;
        fn(value);
      };
      cancelPending = () => settle(reject)(new LayoutCancelled());
      retryInPage = () => new ELK().layout(graph).then(settle(resolve), settle(reject));
      elk ??= make();
      if (Number.isFinite(timeoutMs)) {
        timer = setTimeout(() => {
          settle(reject)(new LayoutTimeout(timeoutMs));
          stopWorker();
        }, timeoutMs);
      }
      elk.layout(graph).then(settle(resolve), settle(reject));
    });
  }

  /**
   * Start the worker and let ELK compile its code on a tiny graph, while the first trace
   * is still running, so the first real layout does not pay for it.
   */
  function warm() {
    elk ??= make();
    elk
      .layout({ id: "warm", children: [{ id: "a", width: 10, height: 10 }], edges: [] })
      .catch(() => {});
  }

  return { layout, cancel, warm };
}
