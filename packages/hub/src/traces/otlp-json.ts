/**
 * OTLP/JSON (`application/json`) ExportTraceServiceRequest → spans. Follows the OTLP JSON
 * mapping: lowerCamelCase keys, trace and span ids as hex, 64-bit integers as strings or
 * numbers, enums as integers (their names are accepted too); unknown keys are ignored.
 */

import { checkSpan, OtlpError, tooManySpans, type SpanEvent, type SpanRecord } from './span.js';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function arrayAt(o: Json, key: string, where: string): unknown[] {
  const v = o[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new OtlpError(`${where}.${key}: expected an array`);
  return v;
}

function objectAt(o: Json, key: string, where: string): Json | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw new OtlpError(`${where}.${key}: expected an object`);
  return v;
}

function stringAt(o: Json, key: string, where: string): string {
  const v = o[key];
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw new OtlpError(`${where}.${key}: expected a string`);
  return v;
}

function hexId(o: Json, key: string, where: string, bytes: number): string {
  const v = stringAt(o, key, where);
  if (v === '') return '';
  if (v.length !== bytes * 2 || !/^[0-9a-fA-F]+$/.test(v))
    throw new OtlpError(
      `${where}.${key}: expected ${bytes * 2} hex digits, got ${JSON.stringify(v.slice(0, 40))}`,
    );
  return v.toLowerCase();
}

/** A uint64 of nanoseconds, given as a decimal string or a number. */
function nanos(o: Json, key: string, where: string): bigint {
  const v = o[key];
  if (v === undefined || v === null) return 0n;
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  if (typeof v === 'string' && /^[0-9]{1,20}$/.test(v)) return BigInt(v);
  throw new OtlpError(`${where}.${key}: expected an unsigned integer (string or number)`);
}

function enumAt(o: Json, key: string, where: string, names: readonly string[]): number {
  const v = o[key];
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string') {
    const i = names.indexOf(v);
    if (i >= 0) return i;
  }
  throw new OtlpError(`${where}.${key}: expected an integer enum value, got ${JSON.stringify(v)}`);
}

const KIND_NAMES = [
  'SPAN_KIND_UNSPECIFIED',
  'SPAN_KIND_INTERNAL',
  'SPAN_KIND_SERVER',
  'SPAN_KIND_CLIENT',
  'SPAN_KIND_PRODUCER',
  'SPAN_KIND_CONSUMER',
];
const STATUS_NAMES = ['STATUS_CODE_UNSET', 'STATUS_CODE_OK', 'STATUS_CODE_ERROR'];

/** An AnyValue as plain JSON (int64 beyond 2^53 kept as a string). */
function anyValue(v: unknown, where: string, depth: number): unknown {
  if (!isObject(v)) throw new OtlpError(`${where}: expected an AnyValue object`);
  if (depth > 16) throw new OtlpError(`${where}: values nested deeper than 16 levels`);
  if ('stringValue' in v) {
    if (typeof v['stringValue'] !== 'string')
      throw new OtlpError(`${where}.stringValue: expected a string`);
    return v['stringValue'];
  }
  if ('boolValue' in v) {
    if (typeof v['boolValue'] !== 'boolean')
      throw new OtlpError(`${where}.boolValue: expected a boolean`);
    return v['boolValue'];
  }
  if ('intValue' in v) {
    const i = v['intValue'];
    if (typeof i === 'number' && Number.isInteger(i)) return i;
    if (typeof i === 'string' && /^-?[0-9]{1,19}$/.test(i)) {
      const n = Number(i);
      return Number.isSafeInteger(n) ? n : i;
    }
    throw new OtlpError(`${where}.intValue: expected an integer (string or number)`);
  }
  if ('doubleValue' in v) {
    const d = v['doubleValue'];
    if (typeof d === 'number') return d;
    if (d === 'NaN' || d === 'Infinity' || d === '-Infinity') return d;
    throw new OtlpError(`${where}.doubleValue: expected a number`);
  }
  if ('arrayValue' in v) {
    const a = v['arrayValue'];
    if (!isObject(a)) throw new OtlpError(`${where}.arrayValue: expected an object`);
    return arrayAt(a, 'values', `${where}.arrayValue`).map((x, i) =>
      anyValue(x, `${where}.arrayValue.values[${i}]`, depth + 1),
    );
  }
  if ('kvlistValue' in v) {
    const a = v['kvlistValue'];
    if (!isObject(a)) throw new OtlpError(`${where}.kvlistValue: expected an object`);
    return keyValues(
      arrayAt(a, 'values', `${where}.kvlistValue`),
      `${where}.kvlistValue.values`,
      depth + 1,
    );
  }
  if ('bytesValue' in v) {
    const b = v['bytesValue'];
    if (typeof b !== 'string' || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(b))
      throw new OtlpError(`${where}.bytesValue: expected base64`);
    return b;
  }
  return null;
}

/** A KeyValue list (`where` names the list, e.g. `….attributes`) as a plain object. */
function keyValues(list: unknown[], where: string, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < list.length; i++) {
    const kv = list[i];
    const w = `${where}[${i}]`;
    if (!isObject(kv)) throw new OtlpError(`${w}: expected {key, value}`);
    const key = kv['key'];
    if (typeof key !== 'string') throw new OtlpError(`${w}.key: expected a string`);
    out[key] = kv['value'] === undefined ? null : anyValue(kv['value'], `${w}.value`, depth);
  }
  return out;
}

function attributes(o: Json, where: string): Record<string, unknown> {
  return keyValues(arrayAt(o, 'attributes', where), `${where}.attributes`, 0);
}

/**
 * Decodes an OTLP/JSON trace export body. Throws {@link OtlpError} naming the path of the
 * first bad field (400), or when the request has more than `maxSpans` spans (413).
 *
 * @example decodeTracesJson('{"resourceSpans":[]}', 10000) // []
 */
export function decodeTracesJson(text: string, maxSpans: number): SpanRecord[] {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (e) {
    throw new OtlpError(`body is not JSON: ${(e as Error).message}`);
  }
  if (!isObject(body)) throw new OtlpError('body: expected an ExportTraceServiceRequest object');
  const out: SpanRecord[] = [];
  const rss = arrayAt(body, 'resourceSpans', 'body');
  for (let r = 0; r < rss.length; r++) {
    const rw = `resourceSpans[${r}]`;
    const rs = rss[r];
    if (!isObject(rs)) throw new OtlpError(`${rw}: expected an object`);
    const resource = objectAt(rs, 'resource', rw);
    const rattrs = resource === undefined ? {} : attributes(resource, `${rw}.resource`);
    const sn = rattrs['service.name'];
    const service = typeof sn === 'string' && sn !== '' ? sn : 'unknown_service';
    const sss = arrayAt(rs, 'scopeSpans', rw);
    for (let s = 0; s < sss.length; s++) {
      const sw = `${rw}.scopeSpans[${s}]`;
      const ss = sss[s];
      if (!isObject(ss)) throw new OtlpError(`${sw}: expected an object`);
      const spans = arrayAt(ss, 'spans', sw);
      for (let i = 0; i < spans.length; i++) {
        const w = `${sw}.spans[${i}]`;
        const sp = spans[i];
        if (!isObject(sp)) throw new OtlpError(`${w}: expected an object`);
        if (out.length >= maxSpans) tooManySpans(out.length + 1, maxSpans);
        const status = objectAt(sp, 'status', w);
        const events: SpanEvent[] = arrayAt(sp, 'events', w).map((ev, k) => {
          const ew = `${w}.events[${k}]`;
          if (!isObject(ev)) throw new OtlpError(`${ew}: expected an object`);
          return {
            name: stringAt(ev, 'name', ew),
            timeNs: nanos(ev, 'timeUnixNano', ew),
            attributes: attributes(ev, ew),
          };
        });
        const parent = hexId(sp, 'parentSpanId', w, 8);
        const rec: SpanRecord = {
          traceId: hexId(sp, 'traceId', w, 16),
          spanId: hexId(sp, 'spanId', w, 8),
          parentSpanId: parent === '' ? null : parent,
          service,
          name: stringAt(sp, 'name', w),
          kind: enumAt(sp, 'kind', w, KIND_NAMES),
          startNs: nanos(sp, 'startTimeUnixNano', w),
          endNs: nanos(sp, 'endTimeUnixNano', w),
          statusCode:
            status === undefined ? 0 : enumAt(status, 'code', `${w}.status`, STATUS_NAMES),
          statusMessage: status === undefined ? '' : stringAt(status, 'message', `${w}.status`),
          attributes: attributes(sp, w),
          events,
        };
        checkSpan(rec, w);
        out.push(rec);
      }
    }
  }
  return out;
}
