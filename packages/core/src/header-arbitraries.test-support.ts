import fc from "fast-check";

/**
 * Arbitrary header text for the "parsers never throw" properties: any binary string, and
 * strings made of the characters header parsers split and quote on, which reach the
 * parsers' deeper branches far more often than random text does.
 */
export const anyHeaderText = fc.oneof(
  fc.string({ unit: "binary", maxLength: 200 }),
  fc.string({
    unit: fc.constantFrom('"', "\\", ",", ";", "=", ":", "?", " ", "-", "1", "r", "q", "a"),
    maxLength: 60,
  }),
);
