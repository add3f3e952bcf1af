// Front desk: confirm before cancelling, change day on pick, and scan entry QR codes.
//
// Scanning uses the browser's BarcodeDetector where it exists (Chrome on Android,
// Safari 17+); elsewhere it loads the jsQR decoder served from /static/vendor/jsqr/.
// Cameras only open on HTTPS (or localhost); without one, staff type the code.
(() => {
  "use strict";

  document.addEventListener("submit", (event) => {
    const form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
  });

  document.addEventListener("change", (event) => {
    const input = event.target.closest("[data-autosubmit]");
    if (input && input.value) input.form.submit();
  });

  // After an htmx check-in the code box is emptied and ready for the next person.
  document.addEventListener("htmx:afterSwap", (event) => {
    if (event.detail.target.id !== "checkin-result") return;
    const code = document.getElementById("id_code");
    if (code) {
      code.value = "";
      code.focus();
    }
  });

  let stream = null;
  let running = false;

  function el(selector) {
    return document.querySelector(selector);
  }

  function showError(kind) {
    const box = el("[data-scan-error]");
    if (!box) return;
    box.textContent = box.dataset[kind] || "";
    box.hidden = false;
  }

  function stop() {
    running = false;
    if (stream) stream.getTracks().forEach((t) => t.stop());
    stream = null;
    const scanner = el("[data-scanner]");
    if (scanner) scanner.hidden = true;
  }

  function loadScript(src) {
    return new Promise((resolve, reject) => {
      if (window.jsQR) return resolve(window.jsQR);
      const s = document.createElement("script");
      s.src = src;
      s.onload = () => (window.jsQR ? resolve(window.jsQR) : reject(new Error("jsQR")));
      s.onerror = reject;
      document.head.appendChild(s);
    });
  }

  async function decoder(button) {
    if ("BarcodeDetector" in window) {
      try {
        const formats = await window.BarcodeDetector.getSupportedFormats();
        if (formats.includes("qr_code")) {
          const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
          return async (video) => {
            const codes = await detector.detect(video);
            return codes.length ? codes[0].rawValue : null;
          };
        }
      } catch (e) {
        // fall through to jsQR
      }
    }
    const jsQR = await loadScript(button.dataset.jsqr);
    const canvas = document.createElement("canvas");
    const ctx = canvas.getContext("2d", { willReadFrequently: true });
    return async (video) => {
      const w = video.videoWidth;
      const h = video.videoHeight;
      if (!w || !h) return null;
      canvas.width = w;
      canvas.height = h;
      ctx.drawImage(video, 0, 0, w, h);
      const found = jsQR(ctx.getImageData(0, 0, w, h).data, w, h, { inversionAttempts: "dontInvert" });
      return found ? found.data : null;
    };
  }

  async function start(button) {
    const error = el("[data-scan-error]");
    if (error) error.hidden = true;
    let detect;
    try {
      detect = await decoder(button);
    } catch (e) {
      showError("msgNodecoder");
      return;
    }
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      showError("msgNocamera");
      return;
    }
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        video: { facingMode: { ideal: "environment" } },
        audio: false,
      });
    } catch (e) {
      showError("msgNocamera");
      return;
    }
    const video = el("[data-scan-video]");
    el("[data-scanner]").hidden = false;
    video.srcObject = stream;
    await video.play();
    running = true;
    const tick = async () => {
      if (!running) return;
      let text = null;
      try {
        text = await detect(video);
      } catch (e) {
        text = null;
      }
      if (text) {
        stop();
        const input = el("#id_code");
        input.value = text;
        const form = el("[data-checkin-form]");
        if (form.requestSubmit) form.requestSubmit();
        else form.submit();
        return;
      }
      window.setTimeout(tick, 200);
    };
    tick();
  }

  document.addEventListener("click", (event) => {
    const scan = event.target.closest("[data-scan]");
    if (scan) {
      start(scan);
      return;
    }
    if (event.target.closest("[data-scan-stop]")) stop();
  });

  window.addEventListener("pagehide", stop);
})();
