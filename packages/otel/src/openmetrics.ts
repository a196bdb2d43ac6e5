import { type Exemplar, seriesKey } from "./exemplar-store.js";

/** The content type of an OpenMetrics 1.0 exposition. */
export const OPENMETRICS_CONTENT_TYPE = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/**
 * Whether a scraper's `Accept` prefers OpenMetrics 1.0 to the Prometheus text format (as
 * Prometheus' own header does: `application/openmetrics-text;version=1.0.0,…,text/plain;version=0.0.4;q=0.5,…`).
 */
export function acceptsOpenMetrics(accept: string | undefined): boolean {
  if (!accept) return false;
  let openMetrics = 0;
  let text = 0;
  for (const range of accept.split(",")) {
    const [type = "", ...params] = range.split(";").map((s) => s.trim().toLowerCase());
    let q = 1;
    let version: string | undefined;
    for (const param of params) {
      const [k, v = ""] = param.split("=").map((s) => s.trim());
      if (k === "q") q = Number(v) || 0;
      else if (k === "version") version = v.replace(/^"|"$/g, "");
    }
    if (type === "application/openmetrics-text" && (version === undefined || version === "1.0.0"))
      openMetrics = Math.max(openMetrics, q);
    else if (type === "text/plain") text = Math.max(text, q);
  }
  return openMetrics > 0 && openMetrics >= text;
}

interface Sample {
  readonly name: string;
  /** Label pairs, values unescaped. */
  readonly labels: [string, string][];
  /** The label set as written (escaped), braces included; "" for none. */
  readonly rawLabels: string;
  readonly value: string;
  readonly timestamp: string | undefined;
}

const unescapeLabel = (s: string) => s.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));

/** Parses one sample line of the Prometheus text format; undefined when it is not one. */
function parseSample(line: string): Sample | undefined {
  const brace = line.indexOf("{");
  const space = line.indexOf(" ");
  if (space < 0) return undefined;
  const labels: [string, string][] = [];
  let rest: string;
  let rawLabels = "";
  let name: string;
  if (brace >= 0 && brace < space) {
    name = line.slice(0, brace);
    let i = brace + 1;
    while (line[i] !== "}") {
      const eq = line.indexOf('="', i);
      if (eq < 0) return undefined;
      const key = line.slice(i, eq).replace(/^,/, "");
      let j = eq + 2;
      let value = "";
      while (j < line.length && line[j] !== '"') {
        if (line[j] === "\\") j++;
        j++;
      }
      if (j >= line.length) return undefined;
      value = unescapeLabel(line.slice(eq + 2, j));
      labels.push([key, value]);
      i = j + 1;
      if (line[i] === ",") i++;
      if (i >= line.length) return undefined;
    }
    rawLabels = line.slice(brace, i + 1);
    rest = line.slice(i + 1).trim();
  } else {
    name = line.slice(0, space);
    rest = line.slice(space + 1).trim();
  }
  const [value, timestamp] = rest.split(/\s+/);
  if (value === undefined || value === "") return undefined;
  return { name, labels, rawLabels, value, timestamp };
}

const number = (le: string) => (le === "+Inf" ? Number.POSITIVE_INFINITY : Number(le));

function exemplarText(e: Exemplar): string {
  const labels = e.traceId ? `trace_id="${e.traceId}",span_id="${e.spanId}"` : "";
  return ` # {${labels}} ${e.value} ${(e.timeMs / 1000).toFixed(3)}`;
}

/** The latest exemplar with a value in (lower, upper]. */
function latestIn(exemplars: readonly Exemplar[] | undefined, lower: number, upper: number) {
  let latest: Exemplar | undefined;
  for (const e of exemplars ?? [])
    if (e.value > lower && e.value <= upper && (!latest || e.timeMs >= latest.timeMs)) latest = e;
  return latest;
}

interface Family {
  type: string;
  help: string | undefined;
  readonly samples: string[];
}

/**
 * Rewrites the Prometheus text format that `@opentelemetry/exporter-prometheus` writes as
 * OpenMetrics 1.0: counter families named without `_total` (their samples keep it), `target_info`
 * as an `info` family, no UNIT lines (OpenMetrics wants the unit as the name's suffix) nor other
 * comments, timestamps in seconds, a family's samples together, `# EOF` at the end; and on each
 * histogram `_bucket` line the latest exemplar of that series within the bucket's range.
 */
export function toOpenMetrics(text: string, exemplars?: ReadonlyMap<string, readonly Exemplar[]>): string {
  const families = new Map<string, Family>();
  let help: { name: string; text: string } | undefined;
  let current: { name: string; family: Family } | undefined;
  // The previous bucket of the histogram series being written, for each bucket's lower bound.
  let previous: { key: string; le: number } | undefined;
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    if (line.startsWith("#")) {
      const [, keyword, name = "", ...words] = line.split(" ");
      if (keyword === "HELP") help = { name, text: words.join(" ") };
      else if (keyword === "TYPE") {
        let type = words[0] ?? "unknown";
        let family = name;
        if (type === "counter") family = name.replace(/_total$/, "");
        else if (type === "untyped") type = "unknown";
        else if (type === "gauge" && name === "target_info") {
          type = "info";
          family = "target";
        }
        let f = families.get(family);
        if (!f) {
          f = { type, help: undefined, samples: [] };
          families.set(family, f);
        }
        if (help?.name === name && f.help === undefined)
          f.help = help.text.replace(/(?<!\\)((?:\\\\)*)"/g, '$1\\"');
        current = { name: family, family: f };
        help = undefined;
      }
      continue;
    }
    const sample = parseSample(line);
    if (!sample || !current) continue;
    const { family, name: familyName } = current;
    let name = sample.name;
    if (family.type === "counter" && name === familyName) name = `${name}_total`;
    const timestamp =
      sample.timestamp === undefined ? "" : ` ${(Number(sample.timestamp) / 1000).toFixed(3)}`;
    let exemplar = "";
    if (family.type === "histogram" && name === `${familyName}_bucket` && exemplars) {
      const le = sample.labels.find(([k]) => k === "le");
      if (le) {
        const key = seriesKey(
          familyName,
          sample.labels.filter(([k]) => k !== "le"),
        );
        const upper = number(le[1]);
        const lower = previous?.key === key ? previous.le : Number.NEGATIVE_INFINITY;
        previous = { key, le: upper };
        const e = latestIn(exemplars.get(key), lower, upper);
        if (e) exemplar = exemplarText(e);
      }
    }
    family.samples.push(`${name}${sample.rawLabels} ${sample.value}${timestamp}${exemplar}`);
  }
  let out = "";
  for (const [name, f] of families) {
    out += `# TYPE ${name} ${f.type}\n`;
    if (f.help !== undefined) out += `# HELP ${name} ${f.help}\n`;
    for (const s of f.samples) out += `${s}\n`;
  }
  return `${out}# EOF\n`;
}
