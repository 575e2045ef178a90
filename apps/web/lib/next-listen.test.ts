// @vitest-environment node
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { hostFromEnvFile, listenHost, listenPort, nextArgs } from "./next-listen.mjs";

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
    expect(nextArgs("dev", "0.0.0.0", ["--webpack", "-H", "10.0.0.2"], "3000")).toEqual(["dev", "--port", "3000", "--webpack", "-H", "10.0.0.2"]);
  });

  it("listens on ALMA_WEB_PORT: the environment's, else the .env file's, else 3000", () => {
    expect(listenPort({}, null)).toBe("3000");
    expect(listenPort({ ALMA_WEB_PORT: "" }, null)).toBe("3000");
    expect(listenPort({ ALMA_WEB_PORT: " 3100 " }, null)).toBe("3100");
    const file = "PORT=8787\nALMA_WEB_PORT=3200 # the web app\n";
    expect(listenPort({}, file)).toBe("3200");
    expect(listenPort({ ALMA_WEB_PORT: "3100" }, file)).toBe("3100");
    expect(listenPort({}, "ALMA_WEB_PORT=\n")).toBe("3000");
    // the server's PORT is not the web app's: next would take it from the environment if it were not told
    expect(listenPort({ PORT: "8787" }, "PORT=9000\n")).toBe("3000");
  });

  it("refuses an ALMA_WEB_PORT that is not a port, naming it", () => {
    for (const bad of ["web", "0", "65536", "3000.5", "0x10"]) {
      expect(() => listenPort({ ALMA_WEB_PORT: bad }, null)).toThrow(`ALMA_WEB_PORT: expected a port number from 1 to 65535, such as 3000 (got "${bad}")`);
    }
    expect(() => listenPort({}, "ALMA_WEB_PORT=abc\n")).toThrow(/ALMA_WEB_PORT: .*\(got "abc"\)/);
  });

  it("passes the port to next unless one was given", () => {
    expect(nextArgs("start", "127.0.0.1", [], "3100")).toEqual(["start", "--hostname", "127.0.0.1", "--port", "3100"]);
    expect(nextArgs("dev", "127.0.0.1", ["--webpack"], "3100")).toEqual(["dev", "--hostname", "127.0.0.1", "--port", "3100", "--webpack"]);
    expect(nextArgs("start", "127.0.0.1", ["-p", "4000"], "3100")).toEqual(["start", "--hostname", "127.0.0.1", "-p", "4000"]);
    expect(nextArgs("start", "127.0.0.1", ["--port=4000"], "3100")).toEqual(["start", "--hostname", "127.0.0.1", "--port=4000"]);
  });

  it("is what the package's start and dev scripts run", () => {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { scripts: Record<string, string> };
    expect(pkg.scripts.start).toMatch(/node lib\/next-listen\.mjs start\b/);
    expect(pkg.scripts.dev).toMatch(/node lib\/next-listen\.mjs dev\b/);
    // the launcher names the interface (HOST) and the port (ALMA_WEB_PORT): a script that named them would win
    for (const script of [pkg.scripts.start, pkg.scripts.dev]) expect(script).not.toMatch(/--hostname|-H\b|--port|-p\b/);
  });
});
