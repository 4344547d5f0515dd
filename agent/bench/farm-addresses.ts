/** Where the benchmark's emulated miner number i listens: 250 a /24 from 127.1.0.1, port 4028. */
export function minerHost(i: number): string {
  return `127.1.${String(Math.floor(i / 250))}.${String((i % 250) + 1)}`;
}
