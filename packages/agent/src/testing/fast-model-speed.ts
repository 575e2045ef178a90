import { ModelSpeedTracker, type SpeedEstimate } from "../model-speed.js";

/**
 * A speed tracker that already knows the model's pace: the in-process fake models answer at once, so runs are
 * sized as for a fast model unless a test says otherwise.
 */
export function knownModelSpeed(pace: { ttftMs: number; tokensPerSecond: number } = { ttftMs: 5, tokensPerSecond: 2_000 }): ModelSpeedTracker {
  const estimate: SpeedEstimate = { ...pace, samples: 10, updatedAt: 0 };
  // the tracker keeps learning from the run's requests; the store only seeds the first read
  return new ModelSpeedTracker({ load: () => estimate, save: () => {} });
}
