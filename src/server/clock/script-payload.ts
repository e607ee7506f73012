/**
 * Serialises a value so it can sit inside an inline `<script>` without ending it early
 * or being read as markup: JSON, with every character that means something to the
 * HTML parser (or breaks older JavaScript parsers) written as a Unicode escape.
 */
// #region serialize
const UNSAFE_IN_SCRIPT = /[<>&\u2028\u2029]/g;

export function serializeForScript(value: unknown): string {
  const json = JSON.stringify(value);
  if (json === undefined) throw new TypeError('value cannot be serialised as JSON');
  return json.replace(UNSAFE_IN_SCRIPT, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
// #endregion serialize
