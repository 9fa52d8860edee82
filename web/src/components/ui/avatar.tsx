import { initials } from "@/lib/format";

// Shades on which white initials pass WCAG AA contrast (4.5:1), none of them re-mapped by the
// dark theme (globals.css turns amber-700 and emerald-700 into light text colours).
const COLORS = ["bg-sky-700", "bg-violet-700", "bg-green-700", "bg-amber-800", "bg-rose-700", "bg-teal-700", "bg-indigo-700"];

function colorOf(seed: string): string {
  let h = 0;
  for (let i = 0; i < seed.length; i++) h = (h * 31 + seed.charCodeAt(i)) >>> 0;
  return COLORS[h % COLORS.length] ?? "bg-slate-600";
}

/** Initials on a colour of the seed; groups get rounded squares, people circles. */
export function Avatar({ name, seed, size = "md", shape = "person" }: { name: string; seed: string; size?: "xs" | "sm" | "md"; shape?: "person" | "group" }) {
  const dims = size === "xs" ? "h-6 w-6 text-[10px]" : size === "sm" ? "h-8 w-8 text-xs" : "h-10 w-10 text-sm";
  return (
    <span aria-hidden className={`inline-flex shrink-0 items-center justify-center font-semibold text-white ${shape === "group" ? "rounded-xl" : "rounded-full"} ${dims} ${colorOf(seed)}`}>
      {initials(name)}
    </span>
  );
}
