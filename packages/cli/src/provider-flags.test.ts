import { describe, expect, it } from "vitest";
import { parseFlags, UsageError } from "./args.js";
import { loadtest } from "./commands/loadtest.js";
import { PROVIDER_FLAGS, providerChoiceFromFlags } from "./provider-flags.js";

const MODEL = "meta-llama/Llama-3.1-8B-Instruct";
const usage = "Usage: swarmgate loadtest";

/** Parses `argv` as the loadtest does and reads the provider flags. */
const choose = (argv: string[], { model = MODEL, embedded = true } = {}) =>
  providerChoiceFromFlags(parseFlags(argv, PROVIDER_FLAGS, usage).values, model, embedded, usage);

const refusal = (argv: string[], options?: { model?: string; embedded?: boolean }) => {
  try {
    choose(argv, options);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).usage).toBe(usage);
    return (error as UsageError).message;
  }
  throw new Error(`${argv.join(" ")} was accepted`);
};

describe("provider flags", () => {
  it("leave the router to pick and the simulator unlimited when absent", () => {
    expect(choose([])).toEqual({ model: MODEL, provider: undefined, limits: undefined });
    expect(choose([], { model: `${MODEL}:cheapest` })).toEqual({
      model: `${MODEL}:cheapest`,
      provider: undefined,
      limits: undefined,
    });
  });

  it("read a header-less per-minute limit and pin the one limited provider", () => {
    expect(choose(["--provider-limit", "together=60"])).toEqual({
      model: MODEL,
      provider: "together",
      limits: {
        together: {
          requestsPerWindow: 60,
          windowMs: 60_000,
          headers: "none",
          bodyHint: false,
          headerlessShare: 0,
        },
      },
    });
  });

  it("read tokens per minute, header styles, the bare share and the body hint for every limit", () => {
    const choice = choose([
      "--provider-limit",
      "together=60/20000",
      "--provider-limit",
      "cerebras=0",
      "--provider-headers",
      "openai",
      "--headerless-share",
      "0.25",
      "--body-hint",
      "--provider",
      "cerebras",
    ]);
    expect(choice.provider).toBe("cerebras");
    expect(choice.limits).toEqual({
      together: {
        requestsPerWindow: 60,
        tokensPerWindow: 20_000,
        windowMs: 60_000,
        headers: "openai",
        bodyHint: true,
        headerlessShare: 0.25,
      },
      cerebras: {
        requestsPerWindow: 0,
        windowMs: 60_000,
        headers: "openai",
        bodyHint: true,
        headerlessShare: 0.25,
      },
    });
  });

  it("leave two limited providers to the router unless one is pinned, by flag or by model", () => {
    const two = ["--provider-limit", "together=60", "--provider-limit", "cerebras=60"];
    expect(choose(two).provider).toBeUndefined();
    expect(choose(two, { model: `${MODEL}:novita` })).toMatchObject({ model: MODEL, provider: "novita" });
    expect(choose(["--provider", "novita"], { embedded: false })).toMatchObject({
      model: MODEL,
      provider: "novita",
    });
  });

  it("refuse bad values with a message naming the flag", () => {
    const cases: [string[], RegExp, { model?: string; embedded?: boolean }?][] = [
      [["--provider-limit", "together"], /`--provider-limit` to be <provider>=<requestsPerMinute>/],
      [["--provider-limit", "together=fast"], /`--provider-limit`.*got "together=fast"/],
      [["--provider-limit", "together=60/"], /`--provider-limit`.*got "together=60\/"/],
      [["--provider-limit", "together=1.5"], /`--provider-limit`/],
      [["--provider-limit", "=60"], /`--provider-limit`/],
      [["--provider-limit", "acme=60"], /`--provider-limit` to be one of together, .*got "acme"/],
      [["--provider-limit", "together=1", "--provider-limit", "together=2"], /names together twice/],
      [["--provider-limit", "together=1"], /needs the default target/, { embedded: false }],
      [
        ["--provider-limit", "together=1", "--provider-headers", "x"],
        /`--provider-headers` to be one of none, openai, together/,
      ],
      [
        ["--provider-limit", "together=1", "--headerless-share", "1.5"],
        /`--headerless-share` to be a number from 0 to 1/,
      ],
      [["--provider-limit", "together=1", "--headerless-share=-0.1"], /`--headerless-share`/],
      [["--provider-limit", "together=1", "--headerless-share", ""], /`--headerless-share`/],
      [["--provider-headers", "openai"], /`--provider-headers` .* needs `--provider-limit`/],
      [["--body-hint"], /`--body-hint` .* needs `--provider-limit`/],
      [["--provider", "Together!"], /`--provider` to be a provider name/],
      [["--provider", "hf-inference"], /`--provider` to be one of together, novita, cerebras/],
      [["--provider", "together"], /contradicts `--model/, { model: `${MODEL}:novita` }],
    ];
    for (const [argv, message, options] of cases)
      expect(refusal(argv, options), argv.join(" ")).toMatch(message);
  });

  it("are refused by `swarmgate loadtest` before anything starts", async () => {
    await expect(loadtest(["--provider-limit", "together=lots"])).rejects.toThrow(/`--provider-limit`/);
    await expect(loadtest(["--headerless-share", "2", "--provider-limit", "novita=5"])).rejects.toThrow(
      /`--headerless-share`/,
    );
    await expect(
      loadtest(["--provider-limit", "together=5", "--url", "http://127.0.0.1:9"]),
    ).rejects.toBeInstanceOf(UsageError);
  });
});
