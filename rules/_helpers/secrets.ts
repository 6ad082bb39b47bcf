// Shared predicates for the secrets/* rules and the Dockerfile secret rules: is a string random
// enough to be a real credential, or a placeholder someone typed into an example?

/** Shannon entropy in bits per character. Random base64 scores about 5–6, English words about 3–4. */
export function shannonEntropy(value: string): number {
  if (value.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const ch of value) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / value.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

export function distinctChars(value: string): number {
  return new Set(value).size;
}

const PLACEHOLDER_WORDS = /example|sample|dummy|fake|placeholder|redacted|your|x{4,}|\*{3,}|\.{3}|<|>/i;

/**
 * True when a token-shaped string is obviously not a live credential: documentation examples
 * (`AKIAIOSFODNN7EXAMPLE`), `xxxx` fillers, long runs of one character, or alphabet/digit
 * sequences (`abcdefgh`, `12345678`) that random generators essentially never produce.
 */
export function looksLikePlaceholder(value: string): boolean {
  if (PLACEHOLDER_WORDS.test(value)) return true;
  if (/(.)\1{5,}/.test(value)) return true;
  let ascending = 0;
  for (let i = 1; i < value.length; i++) if (value.charCodeAt(i) === value.charCodeAt(i - 1) + 1) ascending++;
  return value.length > 8 && ascending / (value.length - 1) >= 0.3;
}

/** A random-looking credential body: not a placeholder, and enough entropy for its length. */
export function looksRandom(value: string, minEntropy = 3.5): boolean {
  return !looksLikePlaceholder(value) && shannonEntropy(value) >= minEntropy;
}

/**
 * Words of a variable name, lower-cased: `DB_PASSWORD` -> [db, password], `apiKey` -> [api, key],
 * `AWS_SECRET_ACCESS_KEY` -> [aws, secret, access, key].
 */
export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
}

// Words that name a credential on their own, and pairs that do (`api key`, `access key`).
const SECRET_WORDS = new Set(['password', 'passwd', 'pwd', 'pass', 'passphrase', 'secret', 'token', 'apikey', 'credential', 'credentials', 'auth']);
const KEY_QUALIFIERS = new Set(['api', 'access', 'private', 'secret', 'encryption', 'signing', 'master', 'license', 'session', 'account', 'storage', 'client', 'auth', 'service']);
// Long credential words also count at the end of a run-together word: PGPASSWORD, MYAPITOKEN.
const SECRET_SUFFIXES = ['password', 'passwd', 'passphrase', 'secret', 'token', 'apikey', 'credentials'];
// What may follow the secret word and still name the secret itself (SECRET_KEY_BASE, TOKEN_VALUE).
const TRAILING_OK = new Set(['key', 'base', 'value', 'string', 'hash', 'b64', 'base64']);

/**
 * Whether a variable name says it holds a credential. The secret word must end the name (or be
 * followed only by words like KEY/VALUE): `DB_PASSWORD`, `JWT_SECRET`, `SECRET_KEY_BASE`, `API_KEY`
 * match; `PASSWORD_FILE`, `TOKEN_URL`, `SECRET_NAME`, `AUTH_ENABLED`, `GPG_KEY`, `PUBLIC_KEY` do not.
 */
export function secretName(name: string): boolean {
  return secretWord(name) !== undefined;
}

/** The word that makes `secretName` true (`password`, `token`, `key`…), or undefined. */
export function secretWord(name: string): string | undefined {
  const words = nameWords(name);
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    const suffix = SECRET_SUFFIXES.find((s) => word.endsWith(s));
    const isSecretWord = SECRET_WORDS.has(word) || suffix !== undefined || (word === 'key' && i > 0 && KEY_QUALIFIERS.has(words[i - 1]));
    if (!isSecretWord) continue;
    if (words.slice(i + 1).every((w) => TRAILING_OK.has(w))) return SECRET_WORDS.has(word) ? word : (suffix ?? word);
  }
  return undefined;
}
