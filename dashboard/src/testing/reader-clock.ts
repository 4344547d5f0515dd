/**
 * Puts the reader's clock in `zone` for a test: jsdom's Date and Intl are Node's, and Node
 * reads TZ again whenever it changes. Intl formats made before keep the zone they were
 * made in. Returns how to put the machine's clock back.
 */
export function readerClockIn(zone: string): () => void {
  // eslint-disable-next-line no-restricted-syntax -- a test's reader clock is the process's TZ, not configuration.
  const environment = process.env;
  const before = environment.TZ;
  environment.TZ = zone;
  return () => {
    if (before === undefined) {
      delete environment.TZ;
    } else {
      environment.TZ = before;
    }
  };
}
