import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderNginxMain, renderNginxSite, type NginxSiteOptions } from "./nginx-config";

export interface NginxProcess {
  child: ChildProcess;
  /** the nginx configuration it runs, whole */
  config: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** what nginx logged (its error log), for a failure's message */
  errorLog(): string;
  /** one line per request (for a WebSocket, once it closed) */
  accessLog(): string;
}

/** The nginx binary: `nginx` on the PATH, else Debian's /usr/sbin/nginx (not on a normal user's PATH). */
export function findNginx(): string | null {
  for (const candidate of ["nginx", "/usr/sbin/nginx"]) {
    if (spawnSync(candidate, ["-v"], { stdio: "ignore" }).status === 0) return candidate;
  }
  return null;
}

/**
 * Runs nginx in the foreground with the documented site (rendered for these addresses) and everything it writes in
 * `dir`: no system nginx, no port 80, nothing outside the test's folder. The config is checked (`nginx -t`) first, so
 * a broken template fails with nginx's own message.
 */
export async function startNginx(dir: string, site: NginxSiteOptions): Promise<NginxProcess> {
  const bin = findNginx();
  if (!bin) throw new Error("nginx is not installed: `apt-get install -y nginx-light` (Debian), then run the test again");
  const config = renderNginxMain(renderNginxSite(site), dir);
  const confPath = join(dir, "nginx.conf");
  const errorPath = join(dir, "error.log");
  writeFileSync(confPath, config);
  const args = ["-p", dir, "-e", errorPath, "-c", confPath];
  const check = spawnSync(bin, ["-t", ...args], { encoding: "utf8" });
  if (check.status !== 0) throw new Error(`nginx refused the rendered config:\n${check.stderr}\n${config}`);
  const child = spawn(bin, args, { stdio: ["ignore", "inherit", "inherit"] });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  const read = (name: string) => {
    try {
      return readFileSync(join(dir, name), "utf8");
    } catch {
      return "";
    }
  };
  return { child, config, exited, errorLog: () => read("error.log"), accessLog: () => read("access.log") };
}
