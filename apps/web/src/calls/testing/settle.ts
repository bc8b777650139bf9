/**
 * Lets every chain of promises that the fakes started run to completion. The fakes use
 * only microtasks, so a bounded number of turns is deterministic and needs no timers.
 */
export async function settle(turns = 300): Promise<void> {
  for (let i = 0; i < turns; i++) await Promise.resolve();
}
