// rasa-webchat, embedded full size. Who is talking the server decides (a cookie it set with this
// page); localStorage only keeps the messages on screen, so a reload shows the same conversation.
WebChat.default({
  initPayload: "hi",
  socketUrl: window.location.origin,
  socketPath: "/socket.io/",
  embedded: true,
  showFullScreenButton: false,
  inputTextFieldHint: "Type your answer or a question...",
  customMessageDelay: () => 150,   // busy people: no long "typing" pauses between messages
  params: { storage: "local" }
}, document.getElementById("webchat"));

// The widget draws its answer buttons as clickable <div>s; make each one reachable with Tab
// and pressable with Enter or Space, so the page works with a keyboard alone.
const makeReachable = (node) => {
  node.querySelectorAll(".rw-reply:not([tabindex])").forEach((reply) => {
    reply.setAttribute("role", "button");
    reply.setAttribute("tabindex", "0");
    reply.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") { event.preventDefault(); reply.click(); }
    });
  });
};
new MutationObserver(() => makeReachable(document)).observe(document.body, { childList: true, subtree: true });
