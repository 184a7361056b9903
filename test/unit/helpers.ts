import {
  type ErrorCode,
  type ExperimentConfig,
  ExperimentError,
  ExperimentService,
  type ExposureRecord,
  experimentConfig,
  InMemoryExperimentStore,
} from "../../src/core";

/** Keeps every exposure in memory: the test double of a sink. */
export class RecordingExposureSink {
  readonly records: ExposureRecord[] = [];
  record(exposure: ExposureRecord): void {
    this.records.push(exposure);
  }
}

/** Discards every exposure. */
const NO_EXPOSURES = { record: () => undefined };

export const v = (name: string, weight: number) => ({ name, weight });

export function makeSvc(): ExperimentService {
  return new ExperimentService(new InMemoryExperimentStore(), { exposureSink: NO_EXPOSURES });
}

export function makeSvcWithSink(): { svc: ExperimentService; sink: RecordingExposureSink } {
  const sink = new RecordingExposureSink();
  return { svc: new ExperimentService(new InMemoryExperimentStore(), { exposureSink: sink }), sink };
}

export function fiftyFifty(name: string): ExperimentConfig {
  return experimentConfig(name, [v("control", 50), v("treatment", 50)]);
}

export async function running(svc: ExperimentService, name: string): Promise<void> {
  await svc.create(fiftyFifty(name));
  await svc.start(name);
}

/** Awaits `promise` and returns the `ExperimentError` it rejected with, failing otherwise. */
export async function errorOf(promise: Promise<unknown>, code?: ErrorCode): Promise<ExperimentError> {
  let outcome: unknown;
  try {
    outcome = await promise;
  } catch (error) {
    if (!(error instanceof ExperimentError)) throw error;
    if (code !== undefined && error.code !== code) {
      throw new Error(`expected ${code}, got ${error.code}: ${error.message}`);
    }
    return error;
  }
  throw new Error(`expected an ExperimentError, got ${JSON.stringify(outcome)}`);
}
