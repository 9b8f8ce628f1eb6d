// Where a webhook may go. A subscriber's URL is a request Otklik makes on its own behalf from inside the network, so
// the host is resolved once, every address it resolves to is checked against the ranges no outside service lives in,
// and the connection is made to the address that was checked (no second look-up a DNS answer could change).
import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";

export type AddressPolicy = {
  /** Loopback addresses (127.0.0.0/8, ::1) are allowed, and plain http with them: tests and a receiver on the host. */
  allowLoopback: boolean;
  /** Host names, addresses and CIDR ranges allowed even though they are private (an internal CRM). */
  allowHosts: readonly string[];
};

export type Resolved = { address: string; family: 4 | 6 };

export class AddressRefused extends Error {
  constructor(
    readonly code: "address_refused" | "host_unresolved" | "url_refused",
    readonly reason: string,
  ) {
    super(code);
  }
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet("127.0.0.0", 8, "ipv4");
LOOPBACK.addAddress("::1", "ipv6");

// Loopback, private, shared (CGNAT), link-local, unique-local, multicast, reserved, documentation and the
// «this network» ranges: nothing a public receiver is reached at.
const INTERNAL = new BlockList();
for (const [net, bits] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const) {
  INTERNAL.addSubnet(net, bits, "ipv4");
}
for (const [net, bits] of [
  ["::", 96], // unspecified, and the deprecated IPv4-compatible addresses
  ["::1", 128],
  ["64:ff9b::", 96], // NAT64: an IPv4 address in disguise
  ["64:ff9b:1::", 48],
  ["100::", 64], // discard
  ["2001:db8::", 32], // documentation
  ["fc00::", 7], // unique local
  ["fe80::", 10], // link-local
  ["fec0::", 10], // site-local (deprecated)
  ["ff00::", 8], // multicast
] as const) {
  INTERNAL.addSubnet(net, bits, "ipv6");
}

/** An IPv6 address as its eight 16-bit groups (an IPv4 tail counted as two). */
function groups(address: string): number[] {
  let text = address;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const b = v4[1]!.split(".").map(Number);
    text = `${text.slice(0, -v4[1]!.length)}${((b[0]! << 8) | b[1]!).toString(16)}:${((b[2]! << 8) | b[3]!).toString(16)}`;
  }
  const [head, tail] = text.split("::") as [string, string | undefined];
  const h = head ? head.split(":") : [];
  const t = tail ? tail.split(":") : [];
  const fill = tail === undefined ? [] : Array(8 - h.length - t.length).fill("0");
  return [...h, ...fill, ...t].map((g) => Number.parseInt(g, 16));
}

/** An IPv4-mapped IPv6 address (::ffff:10.0.0.1, ::ffff:a00:1) as the IPv4 address it is; others unchanged. */
export function unmapped(address: string): Resolved {
  const lower = address.toLowerCase();
  if (isIP(lower) !== 6) return { address: lower, family: 4 };
  const g = groups(lower);
  if (g.length === 8 && g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) {
    return { address: `${g[6]! >> 8}.${g[6]! & 255}.${g[7]! >> 8}.${g[7]! & 255}`, family: 4 };
  }
  return { address: lower, family: 6 };
}

function inAllowList(host: string, a: Resolved, allowHosts: readonly string[]): boolean {
  for (const entry of allowHosts) {
    const e = entry.trim().toLowerCase();
    if (!e) continue;
    if (e.includes("/")) {
      const [net, bitsText] = e.split("/");
      const kind = isIP(net!);
      if (!kind || (kind === 4) !== (a.family === 4)) continue;
      const list = new BlockList();
      list.addSubnet(net!, Number(bitsText), kind === 4 ? "ipv4" : "ipv6");
      if (list.check(a.address, a.family === 4 ? "ipv4" : "ipv6")) return true;
    } else if (e === host || (isIP(e) && unmapped(e).address === a.address)) {
      return true;
    }
  }
  return false;
}

/** Why an address may not be reached under the policy, or null when it may. */
export function refusal(host: string, raw: string, policy: AddressPolicy): string | null {
  const a = unmapped(raw);
  const type = a.family === 4 ? "ipv4" : "ipv6";
  if (!INTERNAL.check(a.address, type)) return null;
  if (policy.allowLoopback && LOOPBACK.check(a.address, type)) return null;
  if (inAllowList(host, a, policy.allowHosts)) return null;
  return LOOPBACK.check(a.address, type) ? "loopback" : "internal";
}

/** The URL's host without IPv6 brackets, lower-cased. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
}

/** Checks a subscriber's URL before it is stored: the scheme, no credentials, a host that resolves where it may. */
export function checkUrlShape(raw: string, policy: AddressPolicy): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new AddressRefused(
      "url_refused",
      "Адрес должен быть полным URL, например https://crm.example.ru/hooks/otklik.",
    );
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && policy.allowLoopback)) {
    throw new AddressRefused("url_refused", "Адрес должен начинаться с https:// — события содержат данные обращений.");
  }
  if (url.username || url.password) {
    throw new AddressRefused(
      "url_refused",
      "Уберите имя и пароль из адреса: подлинность событий подтверждает подпись X-Otklik-Signature.",
    );
  }
  return url;
}

/**
 * Resolves the host once and checks every address it gives: one internal address among public ones refuses the
 * whole host (a DNS answer could otherwise steer a later connection inside). Answers the addresses to connect to.
 */
export async function resolveChecked(url: URL, policy: AddressPolicy): Promise<Resolved[]> {
  const host = hostOf(url);
  let addresses: Resolved[];
  if (isIP(host)) {
    addresses = [{ address: host, family: isIP(host) as 4 | 6 }];
  } else {
    try {
      const found = await lookup(host, { all: true, verbatim: true });
      addresses = found.map((f) => ({ address: f.address, family: f.family as 4 | 6 }));
    } catch {
      addresses = [];
    }
    if (addresses.length === 0) {
      throw new AddressRefused("host_unresolved", `Имя ${host} не находится в DNS.`);
    }
  }
  for (const a of addresses) {
    const why = refusal(host, a.address, policy);
    if (why) {
      throw new AddressRefused(
        "address_refused",
        why === "loopback"
          ? `Адрес ${host} ведёт на этот же сервер (${a.address}); такие адреса не принимаются.`
          : `Адрес ${host} ведёт во внутреннюю сеть (${a.address}); такие адреса принимаются, только если они перечислены в OTKLIK_WEBHOOK_ALLOW_HOSTS.`,
      );
    }
  }
  return addresses;
}
