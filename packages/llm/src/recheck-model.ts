import type { ModelStatus } from "@alma/protocol";
import type { ChatModel } from "./chat-model.js";

/** A model that can ask its server again at once (OpenAIChatModel), rather than at its next scheduled re-probe. */
export interface RecheckableModel {
  /** asks now (joining a probe in flight), waits a bounded time, and returns the status then */
  recheck(maxWaitMs?: number): Promise<ModelStatus>;
}

function isRecheckable(model: ChatModel): model is ChatModel & RecheckableModel {
  return typeof (model as Partial<RecheckableModel>).recheck === "function";
}

/**
 * The model's status, asked again first when it is unavailable and can be: a message sent just after the model
 * server came up is answered instead of refused until the next background re-probe. Loading and downloading
 * models (the local engine) are left alone; they tell their own progress.
 */
export async function recheckModel(model: ChatModel, maxWaitMs?: number): Promise<ModelStatus> {
  const status = model.status();
  if (status.ready || status.state !== "unavailable" || !isRecheckable(model)) return status;
  return model.recheck(maxWaitMs);
}
