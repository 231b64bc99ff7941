/**
 * The file name an export is saved under when --out is not given: Pika's
 * Content-Disposition name (`pika-backup-<yyyymmdd-hhmmss>-v<dbver>.pikabw`), reduced to
 * a plain name. Server text: no path separators or "..", no control or bidi characters,
 * bounded length, and it must end in .pikabw; anything else falls back to our own name.
 */
export function fallbackName(now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `pika-backup-${stamp}.pikabw`;
}

export function nameFromDisposition(header: string | undefined, now: Date): string {
  const m = header ? /filename\*?=(?:UTF-8'')?"?([^";]*)"?/i.exec(header) : null;
  let name = m?.[1] ?? '';
  try {
    name = decodeURIComponent(name);
  } catch {
    // keep it as sent
  }
  // Only the last path component, then nothing but a conservative character set.
  name = name.split(/[\\/]/).pop() ?? '';
  name = name
    .replace(/[^A-Za-z0-9._-]/g, '_')
    .replace(/^\.+/, '')
    .slice(0, 120);
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*\.pikabw$/.test(name)) return fallbackName(now);
  return name;
}
