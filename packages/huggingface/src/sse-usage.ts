import { StreamUsage } from "./usage.js";

/**
 * Reads the `data:` events of a server-sent-events byte stream as they pass and keeps the
 * usage of the last chunk that had one. Malformed events are skipped: observing a stream
 * never breaks it.
 */
export class SseUsageReader {
  readonly usage = new StreamUsage();
  readonly #decoder = new TextDecoder();
  #buffer = "";
  #data: string[] = [];

  /** Feeds raw bytes. */
  push(bytes: Uint8Array): void {
    this.#buffer += this.#decoder.decode(bytes, { stream: true });
    let newline = this.#buffer.search(/\r?\n/);
    while (newline >= 0) {
      const line = this.#buffer.slice(0, newline);
      this.#buffer = this.#buffer.slice(newline + (this.#buffer[newline] === "\r" ? 2 : 1));
      this.#line(line);
      newline = this.#buffer.search(/\r?\n/);
    }
  }

  #line(line: string): void {
    if (line === "") {
      const data = this.#data.join("\n");
      this.#data = [];
      if (data === "" || data === "[DONE]") return;
      try {
        this.usage.add(JSON.parse(data));
      } catch {
        // not JSON: nothing to learn from it
      }
    } else if (line.startsWith("data:")) this.#data.push(line.slice(line[5] === " " ? 6 : 5));
  }
}
