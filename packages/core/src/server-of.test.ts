import { describe, expect, it } from "vitest";
import { serverOfUrl } from "./server-of.js";

describe("serverOfUrl", () => {
  it("takes the port the URL names, else the scheme's default", () => {
    expect(serverOfUrl("https://router.huggingface.co/v1/chat/completions")).toEqual({
      address: "router.huggingface.co",
      port: 443,
    });
    expect(serverOfUrl("http://127.0.0.1/x")).toEqual({ address: "127.0.0.1", port: 80 });
    expect(serverOfUrl(new URL("http://localhost:8080/v1"))).toEqual({ address: "localhost", port: 8080 });
    expect(serverOfUrl("https://example.com:443/")).toEqual({ address: "example.com", port: 443 });
    expect(serverOfUrl("ws://example.com/socket")).toEqual({ address: "example.com", port: undefined });
  });

  it("is undefined for what is not a URL with a host, and never throws", () => {
    expect(serverOfUrl("not a url")).toBeUndefined();
    expect(serverOfUrl("file:///tmp/x")).toBeUndefined();
    expect(serverOfUrl("")).toBeUndefined();
  });
});
