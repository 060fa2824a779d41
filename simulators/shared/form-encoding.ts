/** A decoded application/x-www-form-urlencoded body, with Stripe's `a[b][c]=v` keys nested. */
export interface FormObject {
  [key: string]: FormValue;
}
export type FormValue = string | FormObject;

const UNSAFE_KEYS = new Set(["__proto__", "constructor", "prototype"]);

export function parseForm(raw: string): FormObject {
  const root: FormObject = {};
  for (const [fullKey, value] of new URLSearchParams(raw)) {
    const path = splitKey(fullKey);
    if (path.some((part) => UNSAFE_KEYS.has(part))) continue;
    assign(root, path, value);
  }
  return root;
}

function splitKey(key: string): string[] {
  const head = key.split("[", 1)[0] ?? key;
  const rest = [...key.slice(head.length).matchAll(/\[([^\]]*)\]/g)].map((m) => m[1] ?? "");
  return [head, ...rest];
}

function assign(target: FormObject, path: string[], value: string): void {
  const [first, ...rest] = path;
  if (first === undefined) return;
  // `a[]=x` appends: the empty segment becomes the next numeric index.
  const key = first === "" ? String(Object.keys(target).length) : first;
  if (rest.length === 0) {
    target[key] = value;
    return;
  }
  const existing = target[key];
  const child: FormObject = typeof existing === "object" ? existing : {};
  target[key] = child;
  assign(child, rest, value);
}

export function formString(form: FormObject, key: string): string | undefined {
  const value = form[key];
  return typeof value === "string" ? value : undefined;
}

/** A flat string map (metadata[...]); nested values are ignored as Stripe rejects them. */
export function formStringMap(form: FormObject, key: string): Record<string, string> {
  const value = form[key];
  if (typeof value !== "object") return {};
  return Object.fromEntries(
    Object.entries(value).filter((e): e is [string, string] => typeof e[1] === "string"),
  );
}
