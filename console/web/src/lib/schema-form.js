// A form from a JSON Schema (draft-07, as the contract crate generates it): each property of
// `data` becomes a field of a kind a person can edit — text, a choice, a list, a number, a
// true/false — or, for anything deeper (evidence, participants), its JSON in a text box.

/** The schema `s` points to, through `$ref` and an optional's `anyOf [x, null]`. */
function resolve(root, s) {
  let cur = s || {};
  for (let i = 0; i < 8; i += 1) {
    if (cur.$ref) {
      const name = cur.$ref.split('/').pop();
      cur = (root.definitions || root.$defs || {})[name] || {};
    } else if (cur.allOf && cur.allOf.length === 1) {
      const { allOf, ...rest } = cur;
      cur = { ...allOf[0], ...rest, $ref: allOf[0].$ref };
    } else if (cur.anyOf || (cur.oneOf && !enumOf(cur))) {
      const options = (cur.anyOf || cur.oneOf).filter((o) => o.type !== 'null');
      if (options.length !== 1) return cur;
      cur = { ...options[0], description: cur.description || options[0].description };
    } else if (Array.isArray(cur.type)) {
      const t = cur.type.filter((x) => x !== 'null');
      cur = { ...cur, type: t.length === 1 ? t[0] : t };
    } else {
      return cur;
    }
  }
  return cur;
}

function enumOf(s) {
  if (s.enum) return s.enum;
  const options = s.oneOf || s.anyOf;
  if (options && options.every((o) => o.const !== undefined || o.enum)) {
    return options.flatMap((o) => (o.const !== undefined ? [o.const] : o.enum));
  }
  return null;
}

/** The fields of `schema`: `[{name, kind, required, description, options}]`. */
export function fieldsOf(schema) {
  const required = new Set(schema.required || []);
  return Object.entries(schema.properties || {}).map(([name, raw]) => {
    const s = resolve(schema, raw);
    const options = enumOf(s);
    let kind = 'json';
    if (options) kind = 'choice';
    else if (s.type === 'string') kind = 'text';
    else if (s.type === 'number' || s.type === 'integer') kind = 'number';
    else if (s.type === 'boolean') kind = 'boolean';
    else if (s.type === 'array') {
      const item = resolve(schema, s.items);
      if (item.type === 'string' || enumOf(item)) kind = 'list';
    }
    return {
      name,
      kind,
      options,
      required: required.has(name),
      description: raw.description || s.description || '',
    };
  });
}

/** The text a field shows for `value`. */
export function toText(field, value) {
  if (value === undefined || value === null) return '';
  if (field.kind === 'list') return value.join(', ');
  if (field.kind === 'json') return JSON.stringify(value, null, 2);
  return String(value);
}

/** The value of a field's `text`; `undefined` leaves it out; throws on bad JSON or numbers. */
export function fromText(field, text) {
  const t = text.trim();
  if (t === '') return undefined;
  switch (field.kind) {
    case 'list':
      return t
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean);
    case 'number': {
      const n = Number(t);
      if (Number.isNaN(n)) throw new Error(`${field.name}: not a number`);
      return n;
    }
    case 'boolean':
      return t === 'true';
    case 'json':
      try {
        return JSON.parse(t);
      } catch (e) {
        throw new Error(`${field.name}: not JSON (${e.message})`);
      }
    default:
      return t;
  }
}
