"use client";
import { useState } from "react";
import { initials } from "@/lib/format";

// Shades on which white initials pass WCAG AA contrast (4.5:1), none of them re-mapped by the
// dark theme (globals.css turns amber-700 and emerald-700 into light text colours).
const COLORS = ["bg-sky-700", "bg-violet-700", "bg-green-700", "bg-amber-800", "bg-rose-700", "bg-teal-700", "bg-indigo-700"];

function colorOf(seed: string): string {
  let h = 0;
  for (let i = 0; i < seed.length; i++) h = (h * 31 + seed.charCodeAt(i)) >>> 0;
  return COLORS[h % COLORS.length] ?? "bg-slate-600";
}

/**
 * The picture at `src` (a user's avatar), else initials on a colour of the seed — also when the
 * picture cannot be fetched (an avatar is served only to who can see its user). Groups get
 * rounded squares, people circles.
 */
export function Avatar({
  name,
  seed,
  size = "md",
  shape = "person",
  src = null,
}: {
  name: string;
  seed: string;
  size?: "xs" | "sm" | "md" | "lg";
  shape?: "person" | "group";
  src?: string | null;
}) {
  const dims = size === "xs" ? "h-6 w-6 text-[10px]" : size === "sm" ? "h-8 w-8 text-xs" : size === "lg" ? "h-16 w-16 text-xl" : "h-10 w-10 text-sm";
  const [failed, setFailed] = useState<string | null>(null);
  if (src && failed !== src) {
    return (
      // eslint-disable-next-line @next/next/no-img-element -- a same-origin, already re-encoded image
      <img src={src} alt="" aria-hidden onError={() => setFailed(src)} className={`shrink-0 object-cover ${shape === "group" ? "rounded-xl" : "rounded-full"} ${dims}`} />
    );
  }
  return (
    <span aria-hidden className={`inline-flex shrink-0 items-center justify-center font-semibold text-white ${shape === "group" ? "rounded-xl" : "rounded-full"} ${dims} ${colorOf(seed)}`}>
      {initials(name)}
    </span>
  );
}
