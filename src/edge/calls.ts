/**
 * Counts the calls one request makes to paid, remote resources. The Worker reports
 * them in the `X-Edge-Calls` response header (`kv=0, actor=1, registry=0`), so tests
 * and benchmarks count them over plain HTTP instead of estimating.
 */
export class CallCounter {
  kv = 0;
  actor = 0;
  registry = 0;

  header(): string {
    return `kv=${this.kv}, actor=${this.actor}, registry=${this.registry}`;
  }
}
