import { GuardrailsConfigError } from '../errors.js';
import { BUDGET, type WorkMeter } from './budget.js';
import { type ParsedIp, parseIp } from './parse-ip.js';
import { parseNode } from './parse-node.js';

/**
 * Hosting platforms whose edge writes the client address into a header of its own. Choose one only
 * when the app cannot be reached except through that platform: anyone who reaches the app directly
 * can write these headers too.
 */
export type Platform = 'vercel' | 'cloudflare' | 'fly' | 'netlify' | 'cloudfront';

/** A preset name, or `{ header }`: a single-address header your own proxy overwrites on every request. */
export type PlatformOption = Platform | { header: string };

/** @internal A platform, ready to read a request. */
export interface CompiledPlatform {
  /** How warnings name it, e.g. `'vercel' (x-real-ip)`. */
  label: string;
  read(header: (name: string) => string | undefined, meter: WorkMeter): ParsedIp | undefined;
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$/;

/** Where each preset's rule comes from. */
const PRESETS: Record<Platform, CompiledPlatform> = {
  // https://vercel.com/docs/headers/request-headers#x-real-ip — Vercel's own `ipAddress()` helper
  // (@vercel/functions, IP_HEADER_NAME = 'x-real-ip') reads this header and nothing else.
  vercel: single('vercel', 'x-real-ip'),
  // https://developers.cloudflare.com/fundamentals/reference/http-headers/#cf-connecting-ip
  // With Pseudo IPv4 set to "Overwrite Headers", CF-Connecting-IP holds a Class E (240.0.0.0/4)
  // stand-in and the real IPv6 is in CF-Connecting-IPv6
  // (https://developers.cloudflare.com/network/pseudo-ipv4/); that header is read only then.
  cloudflare: {
    label: "'cloudflare' (cf-connecting-ip)",
    read(header, meter) {
      const ip = singleAddress(header('cf-connecting-ip'), meter);
      if (ip?.version !== 4 || ip.parts[0]! < 240) return ip;
      const real = singleAddress(header('cf-connecting-ipv6'), meter);
      return real?.version === 6 ? real : ip;
    },
  },
  // https://fly.io/docs/networking/request-headers/#fly-client-ip
  fly: single('fly', 'fly-client-ip'),
  // Netlify staff, https://answers.netlify.com/t/52665: "the x-nf-client-connection-ip header is the
  // right one for inspecting the connecting IP address" (kept when other X-Nf- headers were removed).
  netlify: single('netlify', 'x-nf-client-connection-ip'),
  // https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/adding-cloudfront-headers.html
  // CloudFront-Viewer-Address is "IP:port" (e.g. 198.51.100.10:46532), IPv6 without brackets; it is
  // sent only when an origin request policy includes it.
  cloudfront: {
    label: "'cloudfront' (cloudfront-viewer-address)",
    read(header, meter) {
      const value = boundedTrim(header('cloudfront-viewer-address'), meter);
      if (value === undefined) return undefined;
      if (value.startsWith('[')) return ipOf(value);
      const colon = value.lastIndexOf(':');
      if (colon < 0) return parseIp(value);
      return /^[0-9]{1,5}$/.test(value.slice(colon + 1)) ? parseIp(value.slice(0, colon)) : undefined;
    },
  },
};
// Not offered: Fastly-Client-IP is taken from the client when it sends one, unless your VCL resets it
// (https://www.fastly.com/documentation/reference/http/http-headers/Fastly-Client-IP/); use
// `{ header: 'fastly-client-ip' }` once your service overwrites it.

/** @internal Validates `platform`; throws `GuardrailsConfigError` saying what to write instead. */
export function compilePlatform(option: PlatformOption | undefined): CompiledPlatform | undefined {
  if (option === undefined) return undefined;
  if (typeof option === 'string' && Object.hasOwn(PRESETS, option)) return PRESETS[option];
  if (typeof option === 'object' && option !== null && typeof option.header === 'string') {
    if (HEADER_NAME.test(option.header)) {
      const name = option.header.toLowerCase();
      return single(`{ header: '${name}' }`, name);
    }
  }
  throw new GuardrailsConfigError(
    `platform ${JSON.stringify(option)} is not known; use one of ${Object.keys(PRESETS).join(', ')}, ` +
      "or { header: 'x-real-ip' } for a header your own proxy overwrites with the client address",
  );
}

function single(name: string, headerName: string): CompiledPlatform {
  return {
    label: `${name.startsWith('{') ? name : `'${name}'`} (${headerName})`,
    read: (header, meter) => singleAddress(header(headerName), meter),
  };
}

function singleAddress(value: string | undefined, meter: WorkMeter): ParsedIp | undefined {
  const trimmed = boundedTrim(value, meter);
  return trimmed === undefined ? undefined : ipOf(trimmed);
}

function ipOf(text: string): ParsedIp | undefined {
  const node = parseNode(text);
  return node.kind === 'ip' ? node.ip : undefined;
}

/** A header value no longer than one node (plus some spaces), trimmed; longer ones are refused unread. */
function boundedTrim(value: string | undefined, meter: WorkMeter): string | undefined {
  if (value === undefined || value.length > BUDGET.nodeChars + 16) return undefined;
  meter.chars += value.length;
  return value.trim();
}
