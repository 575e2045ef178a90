import { resolveModelFile } from "node-llama-cpp";
const t = Date.now();
try {
  await resolveModelFile("hf:Qwen/Qwen2.5-0.5B-Instruct-GGUF/qwen2.5-0.5b-instruct-q4_k_m.gguf", { directory: "/tmp/alma-dl-exp", cli: false, signal: AbortSignal.timeout(1500), endpoints: { huggingFace: "http://127.0.0.1:9/" } });
} catch (e) { console.log("failed after", Date.now() - t, (e as Error).message); }
