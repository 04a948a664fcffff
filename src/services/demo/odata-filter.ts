/**
 * The subset of OData `$filter` the simulator understands, enough to behave like the AdminService for the
 * queries the bot sends: `eq`/`ne` against string, number, boolean and null literals, `contains(P,'x')`,
 * `startswith(P,'x')` and `endswith(P,'x')` (alone or `eq true`/`eq false`), `and`, `or`, `not` and
 * parentheses. String literals are single-quoted with quotes doubled (`'O''Brien'`). String comparison
 * is case-insensitive, as WQL on the SMS Provider is. Anything else is rejected with a reason, which
 * the simulator answers as 400, like the real service does for queries it cannot run.
 */

export type PropertyType = 'string' | 'number' | 'boolean';

export class ODataFilterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ODataFilterError';
  }
}

export type FilterPredicate = (record: Readonly<Record<string, unknown>>) => boolean;

type Token =
  | { kind: 'string'; value: string; at: number }
  | { kind: 'number'; value: number; at: number }
  | { kind: 'word'; value: string; at: number }
  | { kind: 'punct'; value: '(' | ')' | ','; at: number };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const character = text[i];
    if (/\s/.test(character)) {
      i++;
    } else if (character === '(' || character === ')' || character === ',') {
      tokens.push({ kind: 'punct', value: character, at: i });
      i++;
    } else if (character === "'") {
      const start = i;
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length) throw new ODataFilterError(`the string starting at position ${start} is not closed`);
        if (text[i] === "'") {
          if (text[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += text[i];
        i++;
      }
      tokens.push({ kind: 'string', value, at: start });
    } else if (/[-\d]/.test(character)) {
      const match = /^-?\d+(?:\.\d+)?/.exec(text.slice(i));
      if (!match) throw new ODataFilterError(`unexpected "${character}" at position ${i}`);
      tokens.push({ kind: 'number', value: Number(match[0]), at: i });
      i += match[0].length;
    } else if (/[A-Za-z_]/.test(character)) {
      const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i))!;
      tokens.push({ kind: 'word', value: match[0], at: i });
      i += match[0].length;
    } else {
      throw new ODataFilterError(`unexpected "${character}" at position ${i}`);
    }
  }
  return tokens;
}

type Literal = string | number | boolean | null;

type Operand =
  | { kind: 'property'; name: string; type: PropertyType }
  | { kind: 'literal'; value: Literal }
  | { kind: 'call'; evaluate: FilterPredicate };

const STRING_FUNCTIONS: Readonly<Record<string, (haystack: string, needle: string) => boolean>> = {
  contains: (haystack, needle) => haystack.includes(needle),
  startswith: (haystack, needle) => haystack.startsWith(needle),
  endswith: (haystack, needle) => haystack.endsWith(needle),
};

const KEYWORDS = new Set(['and', 'or', 'not', 'eq', 'ne']);

/** Parses a `$filter` into a predicate over records; `properties` names the filterable properties and their types. */
export function parseODataFilter(text: string, properties: ReadonlyMap<string, PropertyType>): FilterPredicate {
  const tokens = tokenize(text);
  let position = 0;

  const peek = (): Token | undefined => tokens[position];
  const describe = (token: Token | undefined): string =>
    token === undefined ? 'the end of the filter' : `"${token.kind === 'string' ? `'${token.value}'` : token.value}" at position ${token.at}`;
  const isWord = (token: Token | undefined, word: string): boolean =>
    token?.kind === 'word' && token.value.toLowerCase() === word;
  const expectPunct = (value: '(' | ')' | ','): void => {
    const token = peek();
    if (token?.kind !== 'punct' || token.value !== value) throw new ODataFilterError(`expected "${value}" but found ${describe(token)}`);
    position++;
  };

  const parseOr = (): FilterPredicate => {
    let left = parseAnd();
    while (isWord(peek(), 'or')) {
      position++;
      const a = left;
      const b = parseAnd();
      left = (record) => a(record) || b(record);
    }
    return left;
  };

  const parseAnd = (): FilterPredicate => {
    let left = parseUnary();
    while (isWord(peek(), 'and')) {
      position++;
      const a = left;
      const b = parseUnary();
      left = (record) => a(record) && b(record);
    }
    return left;
  };

  const parseUnary = (): FilterPredicate => {
    if (isWord(peek(), 'not')) {
      position++;
      const inner = parseUnary();
      return (record) => !inner(record);
    }
    const token = peek();
    if (token?.kind === 'punct' && token.value === '(') {
      position++;
      const inner = parseOr();
      expectPunct(')');
      return inner;
    }
    return parseComparison();
  };

  const parseOperand = (): Operand => {
    const token = peek();
    if (token === undefined) throw new ODataFilterError('the filter ends where a value was expected');
    position++;
    if (token.kind === 'string') return { kind: 'literal', value: token.value };
    if (token.kind === 'number') return { kind: 'literal', value: token.value };
    if (token.kind === 'punct') throw new ODataFilterError(`unexpected ${describe(token)}`);
    const word = token.value;
    const lower = word.toLowerCase();
    if (lower === 'true' || lower === 'false') return { kind: 'literal', value: lower === 'true' };
    if (lower === 'null') return { kind: 'literal', value: null };
    const next = peek();
    if (next?.kind === 'punct' && next.value === '(') {
      const fn = STRING_FUNCTIONS[lower];
      if (fn === undefined) throw new ODataFilterError(`the function "${word}" is not supported`);
      position++;
      const property = parseProperty();
      if (property.type !== 'string') throw new ODataFilterError(`${word} needs a string property, and ${property.name} is a ${property.type}`);
      expectPunct(',');
      const needleToken = peek();
      if (needleToken?.kind !== 'string') throw new ODataFilterError(`${word} needs a quoted string, found ${describe(needleToken)}`);
      position++;
      expectPunct(')');
      const needle = needleToken.value.toLowerCase();
      return {
        kind: 'call',
        evaluate: (record) => {
          const value = record[property.name];
          return typeof value === 'string' && fn(value.toLowerCase(), needle);
        },
      };
    }
    position--;
    return parseProperty();
  };

  const parseProperty = (): Extract<Operand, { kind: 'property' }> => {
    const token = peek();
    if (token?.kind !== 'word' || KEYWORDS.has(token.value.toLowerCase())) {
      throw new ODataFilterError(`expected a property name but found ${describe(token)}`);
    }
    const type = properties.get(token.value);
    if (type === undefined) throw new ODataFilterError(`the property "${token.value}" does not exist or cannot be filtered`);
    position++;
    return { kind: 'property', name: token.value, type };
  };

  const parseComparison = (): FilterPredicate => {
    const left = parseOperand();
    const operatorToken = peek();
    const operator = isWord(operatorToken, 'eq') ? 'eq' : isWord(operatorToken, 'ne') ? 'ne' : undefined;
    if (operator === undefined) {
      if (left.kind === 'call') return left.evaluate;
      throw new ODataFilterError(`expected "eq" or "ne" after the value, found ${describe(operatorToken)}`);
    }
    position++;
    const right = parseOperand();
    const equal = comparison(left, right);
    return operator === 'eq' ? equal : (record) => !equal(record);
  };

  if (tokens.length === 0) throw new ODataFilterError('the filter is empty');
  const predicate = parseOr();
  if (position < tokens.length) throw new ODataFilterError(`unexpected ${describe(peek())}`);
  return predicate;
}

/** `property eq literal` (either side), or `function(...) eq true|false`. */
function comparison(left: Operand, right: Operand): FilterPredicate {
  if (left.kind === 'literal' && right.kind !== 'literal') return comparison(right, left);
  if (left.kind === 'call') {
    if (right.kind !== 'literal' || typeof right.value !== 'boolean') {
      throw new ODataFilterError('a function result can only be compared with true or false');
    }
    const expected = right.value;
    return (record) => left.evaluate(record) === expected;
  }
  if (left.kind !== 'property' || right.kind !== 'literal') {
    throw new ODataFilterError('a comparison needs a property on one side and a value on the other');
  }
  const { name, type } = left;
  const literal = right.value;
  if (literal === null) return (record) => record[name] === null || record[name] === undefined;
  if (type === 'string') {
    if (typeof literal !== 'string') throw new ODataFilterError(`${name} is a string: quote the value`);
    const wanted = literal.toLowerCase();
    return (record) => {
      const value = record[name];
      return typeof value === 'string' && value.toLowerCase() === wanted;
    };
  }
  if (type === 'boolean') {
    if (typeof literal !== 'boolean') throw new ODataFilterError(`${name} is a boolean: compare it with true or false`);
    return (record) => record[name] === literal;
  }
  if (typeof literal !== 'number') throw new ODataFilterError(`${name} is a number: do not quote the value`);
  return (record) => record[name] === literal;
}
