/* What both pages share: the upload body, requests with progress, refusals shown as the
   server words them, downloads, the secret. Everything the server sends is put into the
   page as text (textContent), never as HTML. */
"use strict";
(function () {
  const MAGIC = new TextEncoder().encode("GKUP1");
  const meta = (name) => (document.querySelector(`meta[name="${name}"]`) || {}).content || "";

  /* The body the server reads (xlsx_tools/server/upload.py): magic, header length, header, files. */
  function uploadBody(items, options) {
    const header = {
      files: items.map((it) => ({ name: it.name, size: it.file.size, modified: it.file.lastModified || null, role: it.role })),
      options: options || {},
    };
    const head = new TextEncoder().encode(JSON.stringify(header));
    const len = new Uint8Array(4);
    new DataView(len.buffer).setUint32(0, head.length);
    return new Blob([MAGIC, len, head, ...items.map((it) => it.file)], { type: "application/x-gk-upload" });
  }

  function secretKey() {
    return "gk-secret:" + location.pathname;
  }

  function secret() {
    const input = document.getElementById("secret");
    const value = input ? input.value.trim() : "";
    if (value) {
      sessionStorage.setItem(secretKey(), value);
    }
    return value || sessionStorage.getItem(secretKey()) || "";
  }

  function setupSecret() {
    const box = document.getElementById("auth-box");
    if (!box || meta("gk-auth") !== "required") {
      return;
    }
    box.hidden = false;
    const input = document.getElementById("secret");
    input.value = sessionStorage.getItem(secretKey()) || "";
  }

  /* POST an upload. `kind`: "text" (JSON or a sentence), "blob" (a file), "stream" (JSON lines:
     `onLine` gets each as it arrives). Resolves {status, type, text|blob, xhr}. */
  function post(url, body, opts) {
    opts = opts || {};
    return new Promise((resolve) => {
      const xhr = new XMLHttpRequest();
      xhr.open("POST", url);
      xhr.responseType = opts.kind === "blob" ? "blob" : "text";
      xhr.setRequestHeader("Content-Type", "application/x-gk-upload");
      xhr.setRequestHeader("X-GK-Token", meta("gk-token"));
      const key = secret();
      if (key && !/^[\x20-\x7e]+$/.test(key)) {
        resolve({ status: 401, type: "text/plain", text: "访问密钥只含英文字母、数字和符号，请检查是否输入了中文或全角字符。", xhr });
        return;
      }
      if (key) {
        xhr.setRequestHeader("Authorization", key);
      }
      if (opts.onUpload) {
        xhr.upload.onprogress = (e) => opts.onUpload(e.loaded, e.lengthComputable ? e.total : body.size);
        xhr.upload.onload = () => opts.onUpload(body.size, body.size, true);
      }
      let seen = 0;
      if (opts.kind === "stream") {
        xhr.onprogress = () => {
          if (xhr.status !== 200) {
            return;
          }
          const text = xhr.responseText;
          let end;
          while ((end = text.indexOf("\n", seen)) >= 0) {
            const line = text.slice(seen, end);
            seen = end + 1;
            if (line.trim()) {
              opts.onLine(JSON.parse(line));
            }
          }
        };
      }
      xhr.onload = () => {
        if (opts.kind === "stream" && xhr.status === 200) {
          xhr.onprogress();
        }
        const type = xhr.getResponseHeader("Content-Type") || "";
        if (xhr.responseType === "blob" && xhr.status !== 200) {
          xhr.response.text().then((text) => resolve({ status: xhr.status, type, text, xhr }));
          return;
        }
        resolve({ status: xhr.status, type, text: xhr.responseType === "text" ? xhr.responseText : "", blob: xhr.response, xhr });
      };
      xhr.onerror = () => resolve({ status: 0, type: "", text: "无法连接服务器：请检查网络是否通畅，或请县政务公开办确认服务器正在运行。", xhr });
      xhr.send(body);
    });
  }

  /* The sentence of a refusal: the server's own words (plain text), or from its JSON. */
  function refusal(answer) {
    if (answer.status === 0) {
      return answer.text;
    }
    if (answer.type.startsWith("application/json")) {
      try {
        const data = JSON.parse(answer.text);
        if (data.message) {
          return data.message;
        }
      } catch (e) { /* fall through */ }
    }
    return answer.text || `服务器返回了错误（状态 ${answer.status}），未处理。`;
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (key === "class") {
        node.className = value;
      } else if (key === "text") {
        node.textContent = value;
      } else if (value !== null && value !== undefined && value !== false) {
        node.setAttribute(key, value === true ? "" : value);
      }
    }
    for (const child of children) {
      if (child !== null && child !== undefined) {
        node.append(typeof child === "string" ? document.createTextNode(child) : child);
      }
    }
    return node;
  }

  function say(box, text, level) {
    box.textContent = text;
    box.className = "notice " + (level || "error");
    box.hidden = !text;
    if (text && (level || "error") === "error" && /访问密钥/.test(text)) {
      const input = document.getElementById("secret");
      if (input) {
        input.focus();
      }
    }
  }

  function saveBlob(blob, name) {
    const url = URL.createObjectURL(blob);
    const a = el("a", { href: url, download: name });
    a.hidden = true;
    document.body.append(a);
    a.click();
    setTimeout(() => {
      URL.revokeObjectURL(url);
      a.remove();
    }, 60000);
  }

  function fileName(xhr, fallback) {
    const header = xhr.getResponseHeader("Content-Disposition") || "";
    const m = /filename\*=UTF-8''([^;]+)/i.exec(header);
    return m ? decodeURIComponent(m[1]) : fallback;
  }

  function fromBase64(data, type) {
    const raw = atob(data);
    const bytes = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i++) {
      bytes[i] = raw.charCodeAt(i);
    }
    return new Blob([bytes], { type });
  }

  function megabytes(n) {
    return (n / 1024 / 1024).toFixed(n < 10 * 1024 * 1024 ? 2 : 1) + " MB";
  }

  /* A table: headers, rows of text, optional class per row. */
  function table(caption, headers, rows, rowClass) {
    return el(
      "table",
      { class: "grid" },
      el("caption", { class: "sr-only", text: caption }),
      el("thead", {}, el("tr", {}, ...headers.map((h) => el("th", { scope: "col", text: h })))),
      el(
        "tbody",
        {},
        ...rows.map((row, i) => el("tr", { class: rowClass ? rowClass(row, i) : null }, ...row.map((v) => el("td", { text: String(v) }))))
      )
    );
  }

  /* Files dropped on `zone` (folders walked), as [{file, name}], to `onFiles`. */
  function dropZone(zone, onFiles) {
    zone.addEventListener("dragover", (e) => {
      e.preventDefault();
      zone.classList.add("over");
    });
    zone.addEventListener("dragleave", () => zone.classList.remove("over"));
    zone.addEventListener("drop", async (e) => {
      e.preventDefault();
      zone.classList.remove("over");
      const entries = [...e.dataTransfer.items].map((it) => (it.webkitGetAsEntry ? it.webkitGetAsEntry() : null));
      if (entries.some((x) => x)) {
        const out = [];
        for (const entry of entries.filter((x) => x)) {
          await walk(entry, out);
        }
        onFiles(out);
      } else {
        onFiles([...e.dataTransfer.files].map((file) => ({ file, name: file.name })));
      }
    });
  }

  async function walk(entry, out) {
    if (entry.isFile) {
      const file = await new Promise((ok, fail) => entry.file(ok, fail));
      out.push({ file, name: entry.fullPath.replace(/^\//, "") });
      return;
    }
    const reader = entry.createReader();
    for (;;) {
      const batch = await new Promise((ok, fail) => reader.readEntries(ok, fail));
      if (!batch.length) {
        break;
      }
      for (const child of batch) {
        await walk(child, out);
      }
    }
  }

  /* What a file chooser holds, in words next to it (the input itself is not shown). */
  function showPicked(input) {
    const label = document.querySelector(`.picked[data-for="${input.id}"]`);
    if (!label) {
      return;
    }
    const files = [...input.files];
    if (!files.length) {
      label.textContent = "未选择";
    } else if (files.length === 1) {
      label.textContent = files[0].webkitRelativePath || files[0].name;
    } else if (input.hasAttribute("webkitdirectory")) {
      label.textContent = `文件夹「${files[0].webkitRelativePath.split("/")[0]}」，${files.length} 个文件`;
    } else {
      label.textContent = `${files.length} 个文件：${files.slice(0, 3).map((f) => f.name).join("、")}${files.length > 3 ? " 等" : ""}`;
    }
  }

  document.addEventListener("change", (e) => {
    if (e.target instanceof HTMLInputElement && e.target.type === "file") {
      showPicked(e.target);
    }
  });

  window.GK = { uploadBody, post, refusal, el, say, saveBlob, fileName, fromBase64, megabytes, table, dropZone, setupSecret, meta, showPicked };
})();
