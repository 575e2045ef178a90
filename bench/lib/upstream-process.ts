import { startScriptedUpstream } from "./scripted-upstream.js";

// Runs the scripted upstream in its own process so its event loop never competes with the relay or the client's.
const upstream = await startScriptedUpstream();
process.send?.({ url: upstream.url });
process.on("message", (m: { type?: string }) => {
  if (m?.type === "counters") process.send?.({ ...upstream.counters });
});
process.on("SIGTERM", () => void upstream.close().then(() => process.exit(0)));
