/** Small line icons drawn inline (no icon font or emoji font needed; they follow currentColor). */
const COMMON = { "aria-hidden": true, viewBox: "0 0 24 24", fill: "none", stroke: "currentColor", strokeWidth: 2, strokeLinecap: "round", strokeLinejoin: "round" } as const;

export function PaperclipIcon({ className = "h-5 w-5" }: { className?: string }) {
  return (
    <svg {...COMMON} className={className}>
      <path d="M21.4 11.05 12.2 20.24a6 6 0 0 1-8.49-8.49l9.2-9.19a4 4 0 0 1 5.65 5.66l-9.2 9.19a2 2 0 0 1-2.82-2.83l8.49-8.48" />
    </svg>
  );
}

export function FileIcon({ className = "h-5 w-5" }: { className?: string }) {
  return (
    <svg {...COMMON} className={className}>
      <path d="M14 2H6a2 2 0 0 0-2 2v16a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V8z" />
      <path d="M14 2v6h6M8 13h8M8 17h5" />
    </svg>
  );
}

export function SmileIcon({ className = "h-5 w-5" }: { className?: string }) {
  return (
    <svg {...COMMON} className={className}>
      <circle cx="12" cy="12" r="10" />
      <path d="M8 14s1.5 2 4 2 4-2 4-2M9 9h.01M15 9h.01" />
    </svg>
  );
}
