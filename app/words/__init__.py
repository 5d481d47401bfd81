"""Words: turning a message kind and its facts into text in the client's language, and
checking that text (encoding, segments, readability). Templates live in messages/, their
translations in locales/."""
