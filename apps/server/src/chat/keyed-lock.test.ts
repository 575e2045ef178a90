import { describe, expect, it } from "vitest";
import { KeyedLock } from "./keyed-lock.js";

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("KeyedLock", () => {
  it("runs tasks on one key one after the other, in the order they asked", async () => {
    const lock = new KeyedLock();
    const log: string[] = [];
    const task = (name: string) => async () => {
      log.push(`${name} start`);
      await tick();
      await tick();
      log.push(`${name} end`);
      return name;
    };
    const results = await Promise.all([lock.run(["a"], task("1")), lock.run(["a"], task("2")), lock.run(["a"], task("3"))]);
    expect(results).toEqual(["1", "2", "3"]);
    expect(log).toEqual(["1 start", "1 end", "2 start", "2 end", "3 start", "3 end"]);
    expect(lock.size).toBe(0);
  });

  it("lets tasks on other keys run meanwhile, and waits for every key a task names", async () => {
    const lock = new KeyedLock();
    const log: string[] = [];
    let releaseA!: () => void;
    const a = lock.run(["a"], () => new Promise<void>((resolve) => (releaseA = resolve)).then(() => void log.push("a")));
    const b = lock.run(["b"], async () => void log.push("b"));
    const ab = lock.run(["b", "a"], async () => void log.push("ab"));
    await b;
    await tick();
    expect(log).toEqual(["b"]);
    releaseA();
    await Promise.all([a, ab]);
    expect(log).toEqual(["b", "a", "ab"]);
    expect(lock.size).toBe(0);
  });

  it("releases the key when a task fails", async () => {
    const lock = new KeyedLock();
    await expect(lock.run(["k"], async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    await expect(lock.run(["k"], async () => "next")).resolves.toBe("next");
    expect(lock.size).toBe(0);
  });
});
