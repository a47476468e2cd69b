/* The county page: the chosen files (folders walked) go to /api/merge in one upload; the
   answer streams progress lines while the validator reads, then the merge's report, the
   register and the files to download (summary workbook, register, long table). */
"use strict";
(function () {
  if (!window.GK_COMPAT) {
    return;
  }
  const { uploadBody, post, refusal, el, say, saveBlob, fromBase64, megabytes, table, dropZone, setupSecret, meta, showPicked } = window.GK;
  const $ = (id) => document.getElementById(id);
  const chosenText = $("chosen");
  const message = $("message");
  const results = $("results");
  const bar = $("bar");
  const stage = $("stage");
  let chosen = [];

  setupSecret();

  function add(list) {
    const seen = new Set(chosen.map((c) => `${c.name}|${c.file.size}|${c.file.lastModified}`));
    for (const item of list) {
      const key = `${item.name}|${item.file.size}|${item.file.lastModified}`;
      if (!seen.has(key)) {
        seen.add(key);
        chosen.push(item);
      }
    }
    show();
  }

  function show() {
    if (!chosen.length) {
      chosenText.textContent = "尚未选择文件。";
      $("forget").disabled = true;
      return;
    }
    const bytes = chosen.reduce((n, c) => n + c.file.size, 0);
    const sheets = chosen.filter((c) => /\.(xlsx|xlsm|xls|xlsb|ods)$/i.test(c.name)).length;
    chosenText.textContent = `已选择 ${chosen.length} 个文件（其中工作簿 ${sheets} 个），共 ${megabytes(bytes)}。`;
    $("forget").disabled = false;
  }

  const named = (file) => ({ file, name: file.webkitRelativePath || file.name });
  $("folder").addEventListener("change", (e) => add([...e.target.files].map(named)));
  $("files").addEventListener("change", (e) => add([...e.target.files].map(named)));
  dropZone($("drop"), add);
  $("forget").addEventListener("click", () => {
    chosen = [];
    $("folder").value = $("files").value = "";
    showPicked($("folder"));
    showPicked($("files"));
    show();
  });

  function statusClass(row) {
    const status = row[3];
    if (["有错误", "无法读取", "年度不符"].includes(status)) {
      return "error";
    }
    if (["有警告", "重复", "不在名单"].includes(status)) {
      return "warning";
    }
    return status === "通过" ? "passed" : "skipped";
  }

  const LABELS = { summary: "下载汇总工作簿", register: "下载报送登记（CSV）", export: "下载明细（CSV）" };

  function render(r) {
    results.replaceChildren();
    const c = r.counts;
    const cards = [
      ["文件", c["文件"]],
      ["计入汇总", c["计入汇总"]],
      ["有错误", c["有错误"]],
      ["有警告", c["有警告"]],
      ["重复", c["重复"]],
      ["跳过", c["跳过"]],
    ];
    for (const key of ["无法读取", "年度不符", "不在名单"]) {
      if (c[key]) {
        cards.push([key, c[key]]);
      }
    }
    if (r.rate) {
      cards.push(["报送率", `${r.rate.rate}（${r.rate.submitted}/${r.rate.expected}）`]);
      cards.push(["未报送", r.rate.missing]);
    }
    results.append(el("p", { class: `notice ${r.done ? "good" : "error"}`, text: r.message }));
    results.append(
      el("dl", { class: "cards" }, ...cards.map(([k, v]) => el("div", { class: "card" }, el("dt", { text: k }), el("dd", { text: String(v) }))))
    );
    const area = el("div", { class: "downloads" });
    for (const f of r.files) {
      const button = el("button", { type: "button", "data-kind": f.kind, text: `${LABELS[f.kind] || "下载"}：${f.name}` });
      button.addEventListener("click", () => saveBlob(fromBase64(f.data, f.media), f.name));
      area.append(button);
    }
    results.append(el("h2", { text: "下载", id: "downloads-heading", tabindex: "-1" }), area);
    results.append(el("h2", { text: "汇总情况" }), el("pre", { class: "report", text: r.lines.join("\n") }));
    if (r.previous) {
      results.append(el("h2", { text: `与上年汇总表「${r.previous}」比较` }));
      for (const note of r.previous_notes) {
        results.append(el("p", { class: "notice error", text: note }));
      }
      if (r.previous_rows.length) {
        const found = table("与上年汇总表比较发现的问题", r.previous_headers, r.previous_rows, () => "warning");
        found.classList.add("findings");
        results.append(found);
      } else if (!r.previous_notes.length) {
        results.append(el("p", { class: "pass", text: "上年结转、现行有效件数与上年汇总表衔接。" }));
      }
    }
    results.append(el("h2", { text: "报送登记" }));
    if (r.register_total > r.register.length) {
      results.append(el("p", { class: "hint", text: `共 ${r.register_total} 行，此处列出前 ${r.register.length} 行；全部见下载的报送登记和汇总工作簿。` }));
    }
    const register = table("报送登记", r.register_headers, r.register, statusClass);
    register.classList.add("register");
    results.append(register);
    const heading = $("downloads-heading");
    if (heading) {
      heading.focus();
    }
  }

  $("form").addEventListener("submit", async (e) => {
    e.preventDefault();
    say(message, "");
    if (!chosen.length) {
      say(message, "请先选择各单位报送的文件或文件夹。");
      return;
    }
    const max = Number(meta("gk-max-files"));
    if (max && chosen.length > max) {
      say(message, `一次最多上传 ${max} 个文件，已选择 ${chosen.length} 个。请分批汇总，或请管理员调高上限。`);
      return;
    }
    const items = chosen.map((c) => ({ file: c.file, name: c.name, role: "report" }));
    if ($("roster").files[0]) {
      items.push({ file: $("roster").files[0], name: $("roster").files[0].name, role: "roster" });
    }
    if ($("last").files[0]) {
      items.push({ file: $("last").files[0], name: $("last").files[0].name, role: "summary" });
    }
    const options = {
      name: $("name").value.trim(),
      year: $("year").value.trim(),
      policy: document.querySelector('input[name="policy"]:checked').value,
    };
    const body = uploadBody(items, options);
    $("go").disabled = true;
    results.replaceChildren();
    $("progress-box").hidden = false;
    bar.removeAttribute("value");
    stage.textContent = "正在上传……";
    let result = null;
    let failed = null;
    const answer = await post("/api/merge", body, {
      kind: "stream",
      onUpload: (done, total, finished) => {
        bar.max = 100;
        bar.value = Math.floor((100 * done) / (total || 1));
        stage.textContent = finished ? "已上传，正在读取……" : `正在上传 ${megabytes(done)} / ${megabytes(total)}……`;
      },
      onLine: (line) => {
        if (line.started !== undefined) {
          bar.removeAttribute("value");
          const also = line.skipped ? `（另有 ${line.skipped} 个其他文件跳过）` : "";
          stage.textContent = `找到 ${line.started} 个工作簿${also}，正在读取和校验……`;
        } else if (line.progress) {
          const [done, total] = line.progress;
          bar.max = total || 1;
          bar.value = done;
          stage.textContent = `正在读取和校验：${done} / ${total} 个工作簿……`;
        } else if (line.result) {
          result = line.result;
        } else if (line.error) {
          failed = line.error;
        }
      },
    });
    $("go").disabled = false;
    $("progress-box").hidden = true;
    if (answer.status !== 200) {
      say(message, refusal(answer));
    } else if (failed) {
      say(message, failed);
    } else if (result) {
      render(result);
    } else {
      say(message, "服务器没有给出汇总结果（连接可能中断），请重试。");
    }
  });
})();
