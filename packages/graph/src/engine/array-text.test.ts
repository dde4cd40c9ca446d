// The reader of PostgreSQL's array text. The inputs are what PostgreSQL 16 wrote (`SELECT ARRAY[…]::text`, psql
// -At) for the values named beside them; apps/gateway/test/engine-text-arrays.test.ts reads the same kind of strings
// back from a real database through both answer forms.
import { describe, expect, it } from 'vitest';
import { parseArrayText } from './array-text.js';
import { readerOf } from './row-answer.js';
import type { ResultShape } from './result-shape.js';

describe('PostgreSQL array text', () => {
  it('reads hostile strings: quotes, backslashes, commas, braces, NULL and "NULL", empty, spaces, newline, unicode', () => {
    const written = String.raw`{"a\"b","back\\slash","com,ma","{braces}","NULL","null",""," lead","new
line",ünï😀,NULL,plain}`;
    expect(parseArrayText(written)).toEqual(['a"b', 'back\\slash', 'com,ma', '{braces}', 'NULL', 'null', '', ' lead', 'new\nline', 'ünï😀', null, 'plain']);
  });

  it('reads empty arrays, two dimensions, and array text nested as an element', () => {
    expect(parseArrayText('{}')).toEqual([]);
    // ARRAY(SELECT ARRAY[x, NULL, (ARRAY(SELECT ARRAY[x || '"}', '1'] …))::text] FROM (VALUES ('a\'), ('b c')) v(x))
    const written = String.raw`{{"a\\",NULL,"{{\"a\\\\\\\"}\",1},{\"a\\\\\\\"}\",1}}"},{"b c",NULL,"{{\"b c\\\"}\",1},{\"b c\\\"}\",1}}"}}`;
    const rows = parseArrayText(written) as string[][];
    expect(rows.map((row) => row.slice(0, 2))).toEqual([['a\\', null], ['b c', null]]);
    expect(parseArrayText(rows[0]![2]!)).toEqual([['a\\"}', '1'], ['a\\"}', '1']]);
    expect(parseArrayText(rows[1]![2]!)).toEqual([['b c"}', '1'], ['b c"}', '1']]);
  });

  it('reads JSON text inside an element', () => {
    // ARRAY[json_build_array('q"', 1, null)::text]::text
    const [json] = parseArrayText(String.raw`{"[\"q\\\"\", 1, null]"}`) as string[];
    expect(JSON.parse(json!)).toEqual(['q"', 1, null]);
  });

  it('refuses what is not an array’s text, or is cut short', () => {
    expect(() => parseArrayText('[1,2]')).toThrow();
    expect(() => parseArrayText('{"open')).toThrow();
    expect(() => parseArrayText('{a,b')).toThrow();
    expect(() => parseArrayText('{a}x')).toThrow();
  });
});

describe('a nested list read by its shape', () => {
  it('turns each element into the tuple of values its JSON form held, by the leaves’ kinds, nested lists included', () => {
    const lines: ResultShape = { list: true, kind: 'rows', keys: ['sku', 'quantity'], fields: new Map([['sku', { kind: 'text' }], ['quantity', { kind: 'number' }]]) };
    const orders: ResultShape = {
      list: true,
      kind: 'rows',
      keys: ['id', 'paid', 'meta', 'tags', 'lines', 'note'],
      fields: new Map<string, ResultShape>([
        ['id', { kind: 'text' }],
        ['paid', { kind: 'boolean' }],
        ['meta', { kind: 'json' }],
        ['tags', { kind: 'array' }],
        ['lines', lines],
      ]),
    };
    const text = String.raw`{{o1,true,"{\"a\": \"x,\\\"y\"}","[\"NULL\",\"\"]","{{\"s,1\",2},{NULL,3}}",NULL},{o2,false,NULL,"[]","{}","[1]"}}`;
    expect(readerOf(orders)(text)).toEqual([
      ['o1', true, { a: 'x,"y' }, ['NULL', ''], [['s,1', 2], [null, 3]], null],
      ['o2', false, null, [], [], [1]],
    ]);
  });
});
