// @vitest-environment node
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { hostFromEnvFile, listenHost, nextArgs } from "./next-listen.mjs";

describe("where the web app listens", () => {
  it("is 127.0.0.1 unless HOST says otherwise, like the server", () => {
    expect(listenHost({}, null)).toBe("127.0.0.1");
    expect(listenHost({ HOST: "" }, null)).toBe("127.0.0.1");
    expect(listenHost({ HOST: "0.0.0.0" }, null)).toBe("0.0.0.0");
  });

  it("reads HOST from the repo's .env when the environment has none; the environment wins", () => {
    const file = "# network\nHOST=0.0.0.0 # exposed\nPORT=8787\n";
    expect(hostFromEnvFile(file)).toBe("0.0.0.0");
    expect(listenHost({}, file)).toBe("0.0.0.0");
    expect(listenHost({ HOST: "127.0.0.1" }, file)).toBe("127.0.0.1");
    expect(hostFromEnvFile('export HOST="::1"\n')).toBe("::1");
    expect(hostFromEnvFile("HOST=\n")).toBe("");
    expect(listenHost({}, "HOST=\n")).toBe("127.0.0.1");
    expect(hostFromEnvFile("ALMA_HOST=x\nHOSTNAME=y\n")).toBeNull();
  });

  it("passes --hostname to next unless one was given", () => {
    expect(nextArgs("start", "127.0.0.1", ["--port", "3000"])).toEqual(["start", "--hostname", "127.0.0.1", "--port", "3000"]);
    expect(nextArgs("dev", "0.0.0.0", ["--webpack", "-H", "10.0.0.2"])).toEqual(["dev", "--webpack", "-H", "10.0.0.2"]);
  });

  it("is what the package's start and dev scripts run", () => {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { scripts: Record<string, string> };
    expect(pkg.scripts.start).toMatch(/node lib\/next-listen\.mjs start\b/);
    expect(pkg.scripts.dev).toMatch(/node lib\/next-listen\.mjs dev\b/);
    for (const script of [pkg.scripts.start, pkg.scripts.dev]) expect(script).not.toMatch(/--hostname|-H\b/);
  });
});
