import type { ResponseLike } from "@swarmgate/core";

// Three decimals is what the governor's header parser accepts for `t` and `w`; rounding up
// keeps the rescaled reset at or after the server's, never before it.
const up = (seconds: number): string => String(Math.ceil(seconds * 1000) / 1000);

function scaleParam(header: string, name: "t" | "w", timeScale: number): string {
  return header.replace(
    new RegExp(`(;\\s*${name}=)(\\d+(?:\\.\\d+)?)`, "g"),
    (_m, prefix: string, value: string) => `${prefix}${up(Number(value) / timeScale)}`,
  );
}

/**
 * A view of a response whose rate-limit times are divided by `timeScale`: `t` of
 * `RateLimit`, `w` of `RateLimit-Policy`, and a delta-seconds `Retry-After`. For servers
 * whose clock runs `timeScale` times faster than the wall clock the governor runs on —
 * the hf-simulator with `timeScale: 60` says `w=300` for a window that lasts 5 wall
 * seconds. With `timeScale` 1 the response itself is returned.
 */
export function scaleServerTime(
  response: { readonly status: number; readonly headers: Headers },
  timeScale: number,
): ResponseLike {
  if (timeScale === 1) return response;
  const headers = response.headers;
  return {
    status: response.status,
    headers: {
      get(name: string): string | null {
        const value = headers.get(name);
        if (value === null) return null;
        switch (name.toLowerCase()) {
          case "ratelimit":
            return scaleParam(value, "t", timeScale);
          case "ratelimit-policy":
            return scaleParam(value, "w", timeScale);
          case "retry-after":
            return /^\d+(?:\.\d+)?$/.test(value.trim()) ? up(Number(value) / timeScale) : value;
          default:
            return value;
        }
      },
    },
  };
}
