import { linkParts } from "@dim/shared";

/**
 * A message body as text with its http(s) links clickable (@dim/shared links.ts decides what a link is).
 * Links open in a new tab with no opener and no referrer: the chat page is never reachable from,
 * or named to, the site a message points to.
 */
export function LinkedText({ text }: { text: string }) {
  return (
    <>
      {linkParts(text).map((part, i) =>
        part.kind === "link" ? (
          <a key={i} href={part.href} target="_blank" rel="noopener noreferrer" className="underline underline-offset-2 break-all">
            {part.text}
          </a>
        ) : (
          part.text
        ),
      )}
    </>
  );
}
