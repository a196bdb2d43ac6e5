import type { JsonSchema } from "./chat-types.js";

/**
 * Builds JSON arguments for a tool from its JSON-schema parameters and the user's text,
 * deterministically (rules in docs/simulator.md, "Scripted model"):
 * - number/integer: the next unused number in the text (integers truncated), else `default` or 0;
 * - string: an enum value named in the text (else the first), else the next unused quoted
 *   substring, else the phrase after the last "in/for/of/about/on/at/to/from", else the whole text;
 * - boolean: true if the property name appears in the text, else `default` or false;
 * - array/object: `default` or empty.
 */
export function buildToolArguments(schema: JsonSchema | undefined, text: string): Record<string, unknown> {
  const numbers = [...text.matchAll(/-?\d+(?:\.\d+)?/g)].map((m) => Number(m[0]));
  const quoted = [...text.matchAll(/"([^"]+)"|'([^']+)'|“([^”]+)”/g)].map((m) => m[1] ?? m[2] ?? m[3] ?? "");
  let phraseUsed = false;
  const lower = text.toLowerCase();
  const args: Record<string, unknown> = {};
  for (const [name, property] of Object.entries(schema?.properties ?? {})) {
    const type = Array.isArray(property.type) ? property.type[0] : property.type;
    if (type === "number" || type === "integer") {
      const next = numbers.shift();
      const value = next ?? (typeof property.default === "number" ? property.default : 0);
      args[name] = type === "integer" ? Math.trunc(value) : value;
    } else if (type === "string" || (type === undefined && property.enum)) {
      if (property.enum && property.enum.length > 0) {
        const named = property.enum.find((v) => typeof v === "string" && lower.includes(v.toLowerCase()));
        args[name] = named ?? property.enum[0];
      } else if (quoted.length > 0) {
        args[name] = quoted.shift();
      } else if (!phraseUsed && subjectPhrase(text) !== undefined) {
        phraseUsed = true;
        args[name] = subjectPhrase(text);
      } else {
        args[name] = text.trim();
      }
    } else if (type === "boolean") {
      args[name] = lower.includes(name.toLowerCase()) ? true : (property.default ?? false);
    } else if (type === "array") {
      args[name] = property.default ?? [];
    } else if (type === "object") {
      args[name] = property.default ?? {};
    } else {
      args[name] = property.default ?? null;
    }
  }
  return args;
}

/** The words after the last preposition, up to punctuation: "weather in Paris?" → "Paris". */
export function subjectPhrase(text: string): string | undefined {
  const last = [...text.matchAll(/\b(?:in|for|of|about|on|at|to|from)\s+/gi)].at(-1);
  if (last === undefined) return undefined;
  const phrase = /^[^?!.,;:\n]*/.exec(text.slice(last.index + last[0].length))?.[0]?.trim();
  return phrase ? phrase : undefined;
}
