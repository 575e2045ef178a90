import { stat } from "node:fs/promises";
import { homedir } from "node:os";
import { basename, join, resolve } from "node:path";
import type { ModelStatus } from "@alma/protocol";
import { resolveModelFile, type ModelDownloadEndpoints } from "node-llama-cpp";
import { DownloadProgressBar } from "./download-progress-bar.js";
import { errorText } from "./error-text.js";

export interface LocalModelFileOptions {
  /** a GGUF file path, or an `hf:` / https URI downloaded once into `modelsDir` */
  model: string;
  /** where downloads are cached; default ~/.cache/alma/models */
  modelsDir?: string;
  /** draw a download progress bar on stderr when it is a terminal; default true */
  progressBar?: boolean;
  /** where `hf:` URIs are fetched from (tests point this at a local server) */
  endpoints?: ModelDownloadEndpoints;
  /** how long to wait for the download server to answer at all; default 10 s */
  connectTimeoutMs?: number;
  /** give up a download that makes no progress for this long; default 60 s */
  downloadStallTimeoutMs?: number;
}

/** The GGUF file to load, or why there is none, in words for the user. */
export type LocalModelFile = { path: string } | { problem: string };

export function isRemoteModel(model: string): boolean {
  return /^(hf:|huggingface:|https?:\/\/)/i.test(model);
}

/**
 * Finds the model file: a local path as it is; a remote one from the download cache, else downloaded (reporting
 * progress at most every 200 ms). Never throws: a missing file, no network or a stalled download is a `problem`.
 */
export async function resolveLocalModelFile(
  options: LocalModelFileOptions,
  onDownload: (download: NonNullable<ModelStatus["download"]>) => void,
): Promise<LocalModelFile> {
  const spec = options.model;
  if (!isRemoteModel(spec)) {
    const path = resolve(spec);
    const info = await stat(path).catch(() => null);
    if (!info?.isFile()) return { problem: `The local model file ${path} does not exist (ALMA_MODEL=${spec}).` };
    return { path };
  }
  const directory = options.modelsDir ?? join(homedir(), ".cache", "alma", "models");
  const endpoints = options.endpoints ? { endpoints: options.endpoints } : {};
  // a model downloaded earlier must load offline, so look in the cache before touching the network
  const cached = /^https?:\/\//i.test(spec)
    ? await cachedUrlFile(spec, directory)
    : await resolveModelFile(spec, { directory, cli: false, download: false, ...endpoints }).catch(() => null);
  if (cached) return { path: cached };
  const unreachable = await checkReachable(downloadOrigin(spec, options.endpoints), options.connectTimeoutMs ?? 10_000);
  if (unreachable) {
    return { problem: `Could not download the model ${spec}: ${unreachable}. No network connection, so no local model can be fetched.` };
  }
  const bar = options.progressBar === false ? null : new DownloadProgressBar(`Downloading ${spec}`);
  let downloading = false;
  let lastNotice = 0;
  const stallMs = options.downloadStallTimeoutMs ?? 60_000;
  let stallTimer: NodeJS.Timeout | undefined;
  let rearm = () => {};
  // the downloader retries quietly for a long time; a download without progress must end in words, not hang
  const stalled = new Promise<never>((_, reject) => {
    const arm = () => {
      clearTimeout(stallTimer);
      stallTimer = setTimeout(() => reject(new Error(`no progress for ${Math.round(stallMs / 1000)} s`)), stallMs);
    };
    arm();
    rearm = arm;
  });
  try {
    const path = await Promise.race([
      stalled,
      resolveModelFile(spec, {
        directory,
        cli: false,
        ...endpoints,
        onProgress: ({ totalSize, downloadedSize }) => {
          rearm();
          bar?.update(downloadedSize, totalSize || null);
          const now = Date.now();
          if (now - lastNotice < 200 && downloadedSize !== totalSize) return;
          lastNotice = now;
          downloading = true;
          onDownload({ receivedBytes: downloadedSize, totalBytes: totalSize || null, file: spec });
        },
      }),
    ]);
    if (downloading) bar?.finish();
    return { path };
  } catch (e) {
    if (downloading) bar?.finish();
    return { problem: `Could not download the model ${spec} into ${directory}: ${errorText(e)}.` };
  } finally {
    clearTimeout(stallTimer);
  }
}

function downloadOrigin(spec: string, endpoints: ModelDownloadEndpoints | undefined): string {
  if (/^https?:\/\//i.test(spec)) return new URL(spec).origin;
  return endpoints?.huggingFace ?? "https://huggingface.co/";
}

/** The file a plain URL was downloaded to earlier (the downloader names it after the URL's last path segment). */
async function cachedUrlFile(url: string, directory: string): Promise<string | null> {
  const name = basename(decodeURIComponent(new URL(url).pathname));
  if (!name) return null;
  const path = join(directory, name);
  const info = await stat(path).catch(() => null);
  return info?.isFile() && info.size > 0 ? path : null;
}

/** null when `url` answers at all (any HTTP status), else why not. */
async function checkReachable(url: string, timeoutMs: number): Promise<string | null> {
  try {
    const res = await fetch(url, { method: "HEAD", signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    return null;
  } catch (e) {
    const cause = e instanceof Error && e.cause instanceof Error ? e.cause.message : errorText(e);
    return `${new URL(url).host} cannot be reached (${cause})`;
  }
}
