// A reader of PostgreSQL's array text (`array_out`): how the engine's nested lists come back in the row form, as
// text arrays (`ARRAY(SELECT ARRAY[a.id::text, …])`), which PostgreSQL builds for less CPU than JSON tuples
// (docs/performance.md, issue 14 round 9). `row-answer.ts` turns the strings into values by the result shape's kinds.

/** An element of an array's text: a string, NULL, or an inner array (a dimension more). */
export type ArrayTextValue = string | null | ArrayTextValue[];

const QUOTE = 34; // "
const BACKSLASH = 92; // \
const COMMA = 44; // ,
const CLOSE = 125; // }

/**
 * The elements of `text`, an array as PostgreSQL writes it (`{a,"b c",NULL,"NULL",{…}}`, delimiter `,`): a quoted
 * element keeps its `\"` and `\\` unescaped; an unquoted `NULL` is null, a quoted one the string. Lower bounds other
 * than 1 (`[0:1]={…}`), which the engine never builds, are refused.
 */
export function parseArrayText(text: string): ArrayTextValue[] {
  if (text.charCodeAt(0) !== 123) throw new Error(`not an array's text: ${text.slice(0, 20)}`);
  let at = 0;
  const array = (): ArrayTextValue[] => {
    at++; // {
    const items: ArrayTextValue[] = [];
    if (text.charCodeAt(at) === CLOSE) {
      at++;
      return items;
    }
    for (;;) {
      const c = text.charCodeAt(at);
      if (c === 123) items.push(array());
      else if (c === QUOTE) items.push(quoted());
      else {
        let end = at;
        for (let e = text.charCodeAt(end); e !== COMMA && e !== CLOSE; e = text.charCodeAt(++end)) {
          if (Number.isNaN(e)) throw new Error('unterminated array text');
        }
        const raw = text.slice(at, end);
        items.push(raw === 'NULL' ? null : raw);
        at = end;
      }
      const next = text.charCodeAt(at++);
      if (next === CLOSE) return items;
      if (next !== COMMA) throw new Error(`unexpected character in array text at ${at - 1}`);
    }
  };
  const quoted = (): string => {
    at++; // "
    let value = '';
    let start = at;
    for (;;) {
      const c = text.charCodeAt(at);
      if (c === QUOTE) break;
      if (Number.isNaN(c)) throw new Error('unterminated quoted element in array text');
      if (c === BACKSLASH) {
        value += text.slice(start, at);
        start = ++at; // the escaped character is kept
      }
      at++;
    }
    value += text.slice(start, at);
    at++; // "
    return value;
  };
  const elements = array();
  if (at !== text.length) throw new Error('trailing characters after array text');
  return elements;
}
