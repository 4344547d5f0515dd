/** The health of the Stratum nodes' journals, as /api/health lists it. */
import type { JournalState } from '../api/pool-facts.ts';
import type { DiskHealth, DiskHealthListener } from '../db/disk-health.ts';

/** The health of the journals of this process's Stratum nodes, or of its forked ones: what /api/health lists. */
export class JournalStates {
  readonly #states = new Map<string, JournalState>();

  set(state: JournalState): void {
    this.#states.set(`${state.journal} ${String(state.nodeId)}`, state);
  }

  /** A Stratum process is gone: its journals are reported again by the one started in its place. */
  forget(nodeId: number): void {
    for (const [key, state] of this.#states) {
      if (state.nodeId === nodeId) {
        this.#states.delete(key);
      }
    }
  }

  list(): JournalState[] {
    return [...this.#states.values()].sort(
      (a, b) => a.nodeId - b.nodeId || a.journal.localeCompare(b.journal),
    );
  }
}

/**
 * A journal's health listener that also reports each state (and the first, through
 * `report`) to where the node's journals are listed.
 */
export function journalHealth(
  journal: JournalState['journal'],
  nodeId: number,
  reportJournal: (state: JournalState) => void,
  onChange: DiskHealthListener,
): { readonly report: (health: DiskHealth) => void; readonly onHealthChange: DiskHealthListener } {
  const report = (health: DiskHealth): void => {
    reportJournal({ journal, nodeId, ...health });
  };
  return {
    report,
    onHealthChange: (health, error) => {
      onChange(health, error);
      report(health);
    },
  };
}
