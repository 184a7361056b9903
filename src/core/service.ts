import { ExperimentAdmin } from "./admin";
import { assignExperiments, deliverEvents } from "./assigner";
import { prepareExperiment } from "./assignment";
import { ExperimentError } from "./errors";
import { ConsoleExposureSink } from "./sinks";
import type { ExperimentStore, ExposureSink } from "./store";
import type { Attributes } from "./targeting";

export interface ExperimentServiceOptions {
  /** Where exposures go; the console JSON line by default. */
  exposureSink?: ExposureSink;
}

/**
 * The reference module's `ExperimentService`: assignment plus the admin operations of
 * `ExperimentAdmin`, over any `ExperimentStore`.
 *
 * @example
 * const svc = new ExperimentService(new InMemoryExperimentStore(), { exposureSink: { record: () => {} } });
 * await svc.create(experimentConfig("checkout_v2", [{ name: "control", weight: 50 }, { name: "treatment", weight: 50 }]));
 * await svc.start("checkout_v2");
 * await svc.assign("checkout_v2", "user:1"); // "control", and the same forever
 */
export class ExperimentService extends ExperimentAdmin {
  private readonly store: ExperimentStore;
  private readonly exposureSink: ExposureSink;

  constructor(store: ExperimentStore, options: ExperimentServiceOptions = {}) {
    super(store);
    this.store = store;
    this.exposureSink = options.exposureSink ?? new ConsoleExposureSink();
  }

  /**
   * The variant `actor` sees in `experiment`, by the reference's rules in order:
   * 1. archived → `archived`; 2. concluded → the winner, no exposure; 3. draft →
   * `not_running`; 4. override → its variant (exposure tagged `is_override`); 5. sticky
   * → the stored variant; 6. targeting or coverage keeps a new actor out →
   * `not_eligible`; 7. a sibling of the exclusion group assigned → `excluded_by_group`;
   * 8. bucket, weighted choice, stored sticky (first writer wins). Every success of a
   * running experiment emits one exposure.
   *
   * @param attributes what targeting conditions read (not in the reference)
   * @throws {ExperimentError} `not_found`, `archived`, `not_running`, `not_eligible`, `excluded_by_group`, `no_variant`, `store_unavailable`
   */
  async assign(experiment: string, actor: string, attributes: Attributes = {}): Promise<string> {
    return this.assignWithRequestId(experiment, actor, null, attributes);
  }

  /** Like `assign`, carrying `requestId` into the exposure for correlation. */
  async assignWithRequestId(
    experiment: string,
    actor: string,
    requestId: string | null,
    attributes: Attributes = {},
  ): Promise<string> {
    const config = await this.store.get(experiment);
    const { results, ...events } = await assignExperiments(
      [[experiment, config && prepareExperiment(config)]],
      this.store,
      { actor, attributes, requestId },
    );
    // Not awaited: a slow sink must not hold the assignment up (a synchronous one has
    // its exposure before this returns).
    void deliverEvents(this.exposureSink, events);
    const result = results.get(experiment);
    if (result === undefined) throw new Error("assignExperiments lost an experiment");
    if (!result.ok) throw ExperimentError.from(result.error);
    return result.value.variant;
  }
}
