/* The agency page: each chosen report is sent on its own to /api/check; its findings are
   shown as the 校验结果 sheet shows them (errors first); downloads send the same file again
   to /api/download/<kind> (the server keeps nothing between requests). */
"use strict";
(function () {
  if (!window.GK_COMPAT) {
    return;
  }
  const { uploadBody, post, refusal, el, say, saveBlob, fileName, table, dropZone, setupSecret, showPicked } = window.GK;
  const files = document.getElementById("files");
  const previous = document.getElementById("previous");
  const results = document.getElementById("results");
  const message = document.getElementById("message");
  const again = document.getElementById("again");
  const clear = document.getElementById("clear");
  let chosen = [];

  setupSecret();

  function items(report) {
    const list = [{ file: report.file, name: report.name, role: "report" }];
    const last = previous.files[0];
    if (last) {
      list.push({ file: last, name: last.name, role: "previous" });
    }
    return list;
  }

  function card(report, index) {
    const status = el("p", { class: "stage", text: "等待校验……" });
    const heading = el("h2", { class: "file-name" }, el("span", { class: "name", text: report.name }));
    const box = el("article", { class: "file", id: `file-${index}`, "aria-busy": "true" }, heading, status);
    results.append(box);
    return { box, heading, status };
  }

  function render(report, view, data, note) {
    const { box, heading, status } = view;
    const level = !data.readable ? "bad" : data.errors ? "bad" : data.warnings ? "warn" : "good";
    heading.replaceChildren(
      ...[
        el("span", { class: "name", text: data.name }),
        data.agency ? el("span", { class: "agency", text: `（${data.agency}）` }) : null,
        "：",
        el("span", { class: `badge ${level}`, text: data.summary }),
      ].filter((x) => x !== null)
    );
    status.remove();
    if (note) {
      box.append(el("p", { class: "notice error", text: note }));
    }
    if (data.previous) {
      box.append(el("p", { class: "hint", text: `已与上年报告「${data.previous}」比较。` }));
    }
    if (data.rows.length) {
      const found = table(`${data.name} 的问题`, data.headers, data.rows, (row, i) => data.levels[i]);
      found.classList.add("findings");
      box.append(found);
    } else {
      box.append(el("p", { class: "pass", text: "校验通过：未发现问题。" }));
    }
    const area = el("div", { class: "downloads" });
    const said = el("p", { class: "notice", role: "status", hidden: true });
    for (const d of data.downloads) {
      const button = el("button", { type: "button", "data-kind": d.kind, text: d.label });
      button.addEventListener("click", () => download(report, d.kind, button, said));
      area.append(button);
    }
    box.append(area);
    for (const d of data.downloads) {
      if (d.note) {
        box.append(el("p", { class: "hint", text: d.note }));
      }
    }
    if (data.marked_note) {
      box.append(el("p", { class: "hint", text: `未提供标注后的工作簿：${data.marked_note}` }));
    }
    box.append(said);
    box.setAttribute("aria-busy", "false");
  }

  async function download(report, kind, button, said) {
    button.disabled = true;
    say(said, "正在生成……", "info");
    const answer = await post(`/api/download/${kind}`, uploadBody(items(report)), { kind: "blob" });
    button.disabled = false;
    if (answer.status === 200) {
      saveBlob(answer.blob, fileName(answer.xhr, "下载"));
      say(said, `已下载：${fileName(answer.xhr, "下载")}`, "info");
    } else {
      say(said, refusal(answer));
    }
  }

  async function check(report, index) {
    const view = card(report, index);
    const body = uploadBody(items(report));
    view.status.textContent = "正在上传……";
    const answer = await post("/api/check", body, {
      onUpload: (done, total, finished) => {
        view.status.textContent = finished ? "正在校验……" : `正在上传 ${Math.floor((100 * done) / (total || 1))}%……`;
      },
    });
    if (answer.type.startsWith("application/json")) {
      const data = JSON.parse(answer.text);
      if (answer.status === 200) {
        render(report, view, data);
        return;
      }
      if (data.result) {
        render(report, view, data.result, data.message);
        return;
      }
    }
    view.status.className = "notice error";
    view.status.setAttribute("role", "alert");
    view.status.textContent = refusal(answer);
    view.box.setAttribute("aria-busy", "false");
    return answer.status;
  }

  async function start(list) {
    if (!list.length) {
      return;
    }
    chosen = list;
    say(message, "");
    results.replaceChildren();
    again.disabled = clear.disabled = true;
    say(message, `正在校验 ${list.length} 个文件……`, "info");
    let refused = false;
    for (let i = 0; i < list.length; i++) {
      refused = (await check(list[i], i + 1)) === 401 || refused;
    }
    say(message, list.length > 1 ? `已校验 ${list.length} 个文件。` : "", "info");
    again.disabled = clear.disabled = false;
    const first = results.querySelector("h2");
    const secretInput = document.getElementById("secret");
    if (refused && secretInput && !document.getElementById("auth-box").hidden) {
      say(message, "请填写正确的访问密钥，然后点击「重新校验」。");
      secretInput.focus();
    } else if (first) {
      first.setAttribute("tabindex", "-1");
      first.focus();
    }
  }

  files.addEventListener("change", () => start([...files.files].map((file) => ({ file, name: file.name }))));
  dropZone(document.getElementById("drop"), (list) => start(list));
  again.addEventListener("click", () => start(chosen));
  clear.addEventListener("click", () => {
    results.replaceChildren();
    say(message, "");
    files.value = "";
    showPicked(files);
    chosen = [];
    again.disabled = clear.disabled = true;
    files.focus();
  });
  previous.addEventListener("change", () => {
    if (chosen.length) {
      start(chosen);
    }
  });
})();
