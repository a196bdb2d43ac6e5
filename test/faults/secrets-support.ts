// A hostile upstream for the secret scan: a real HTTP server that answers with errors
// echoing parts of the caller's token (without `hf_`, a suffix, a middle slice, base64,
// URL-encoded) in bodies, headers and reason phrases.
import { randomInt } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** `hf_` and 34 random letters and digits. */
export function randomToken(): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  let token = "hf_";
  for (let i = 0; i < 34; i++) token += alphabet[randomInt(alphabet.length)];
  return token;
}

/** Every 8-character part of `secret`. */
export const partsOf = (secret: string): string[] =>
  Array.from({ length: secret.length - 7 }, (_, i) => secret.slice(i, i + 8));

/** The answers the upstream knows, by the `echo/<mode>` model a request names. */
export const MODES = [
  "full-401",
  "noprefix-500",
  "suffix-429",
  "middle-400",
  "base64-503",
  "urlenc-422",
  "payment-402",
  "stream-error",
] as const;
export type Mode = (typeof MODES)[number];

export interface EchoUpstream {
  readonly url: string;
  /** Requests answered, and how many of them echoed part of the token. */
  readonly stats: { requests: number; echoes: number };
  close(): Promise<void>;
}

type Answer = { status: number; reason?: string; headers?: Record<string, string>; body: string };

function answerFor(mode: Mode | "hub", token: string): Answer {
  const bare = token.slice(3);
  const json = (error: unknown) => JSON.stringify({ error });
  switch (mode) {
    case "full-401":
      return {
        status: 401,
        headers: { "www-authenticate": `Bearer realm="${bare}"` },
        body: json(`Invalid credentials in header: Bearer ${token}`),
      };
    case "noprefix-500":
      return { status: 500, reason: `Bad ${token.slice(3, 14)}`, body: json(`upstream failed for ${bare}`) };
    case "suffix-429":
      return {
        status: 429,
        headers: { "retry-after": "0", "x-echo": `...${token.slice(-10)}` },
        body: json(`rate limited key …${token.slice(-10)}`),
      };
    case "middle-400":
      return { status: 400, body: json({ message: `bad request from ${token.slice(12, 20)}` }) };
    case "base64-503":
      return {
        status: 503,
        headers: { "x-auth-echo": btoa(`user:${token}`) },
        body: json(`auth Basic ${btoa(`user:${token}`)}`),
      };
    case "urlenc-422":
      return { status: 422, body: json(`see https://x.test/?t=${encodeURIComponent(token.slice(2))}`) };
    case "payment-402":
      return { status: 402, body: json(`You have exceeded your monthly included credits (${bare})`) };
    case "stream-error":
      return {
        status: 200,
        headers: { "content-type": "text/event-stream" },
        body: `data: ${JSON.stringify({
          id: "1",
          created: 0,
          model: "echo",
          choices: [{ index: 0, delta: { role: "assistant", content: "Hel" }, finish_reason: null }],
        })}\n\ndata: ${json(`stream broke for ${bare}`)}\n\n`,
      };
    case "hub":
      return {
        status: 404,
        headers: { "x-error-message": bare },
        body: json(`Repository not found (${bare})`),
      };
  }
}

const read = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let body = "";
    req.setEncoding("utf8").on("data", (c: string) => {
      body += c;
    });
    req.on("end", () => resolve(body));
  });

/**
 * Starts the upstream on loopback. The mode is the `echo/<mode>` model of the request (in
 * the JSON body or the URL); any other request gets the modes in turn, and Hub look-ups
 * (`GET /api/…`) a 404 that echoes the token. The token echoed is the request's bearer.
 */
export async function startEchoUpstream(): Promise<EchoUpstream> {
  const stats = { requests: 0, echoes: 0 };
  let turn = 0;
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const body = await read(req);
    stats.requests++;
    const token = (req.headers.authorization ?? "").replace(/^Bearer\s+/i, "");
    const named = /echo\/([a-z0-9-]+)/.exec(`${req.url} ${body}`)?.[1] as Mode | undefined;
    const mode =
      req.method === "GET" && req.url?.startsWith("/api/")
        ? "hub"
        : named && MODES.includes(named)
          ? named
          : MODES[turn++ % MODES.length]!;
    const answer = answerFor(mode, token);
    if (token.length >= 8) stats.echoes++; // every answer echoes the token one way or another
    res.writeHead(answer.status, answer.reason ?? "", {
      "content-type": "application/json",
      ...answer.headers,
    });
    res.end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
