#!/usr/bin/env python3
"""Checks a composite action.yml with PyYAML and runs it as GitHub's runner would, on this machine.

    run_action.py ACTION_DIR WORKSPACE RUNNER_TEMP [NAME=VALUE ...]

The check: the keys GitHub requires (name, description, runs.using: composite, runs.steps), every
input with a description, every output with a value, every `run:` step with a `shell:`, every
`uses:` pinned to a version, ids unique, and every `${{ }}` expression one this runner can evaluate
(inputs, steps.ID.outputs, runner, github, always(), ==, !=, &&) that names only inputs and step ids
the action has. Then each step runs in order in WORKSPACE: `run:` steps as GitHub runs them
(`bash --noprofile --norc -eo pipefail FILE`, with GITHUB_ACTIONS=true, GITHUB_OUTPUT, GITHUB_PATH,
GITHUB_STEP_SUMMARY, GITHUB_ACTION_PATH, RUNNER_TEMP and the step's env); `uses:` steps are stood in for: actions/cache
misses, actions/upload-artifact copies its path to RUNNER_TEMP/artifacts/NAME. `if:` is evaluated,
failure stops the steps that lack always(). Prints one JSON object: the action's outputs, each
step's outcome, the PATH folders added, the step summary's text, the uploaded artifacts.
"""

import json
import os
import re
import shutil
import subprocess
import sys

import yaml

EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


class ActionError(Exception):
    pass


def check(action):
    for key in ("name", "description", "runs"):
        if key not in action:
            raise ActionError(f"action.yml lacks '{key}'")
    runs = action["runs"]
    if runs.get("using") != "composite" or not isinstance(runs.get("steps"), list) or not runs["steps"]:
        raise ActionError("runs must be 'using: composite' with steps")
    for name, spec in (action.get("inputs") or {}).items():
        if not isinstance(spec, dict) or "description" not in spec:
            raise ActionError(f"input '{name}' lacks a description")
    for name, spec in (action.get("outputs") or {}).items():
        if not isinstance(spec, dict) or "value" not in spec or "description" not in spec:
            raise ActionError(f"output '{name}' needs a description and a value")
    ids = set()
    for index, step in enumerate(runs["steps"]):
        where = f"step {index + 1} ({step.get('name', step.get('id', '?'))})"
        if ("run" in step) == ("uses" in step):
            raise ActionError(f"{where} needs exactly one of run and uses")
        if "run" in step and "shell" not in step:
            raise ActionError(f"{where}: a composite action's run step needs a shell")
        if "uses" in step and not re.fullmatch(r"[\w.-]+/[\w.-]+@[\w.-]+", step["uses"]):
            raise ActionError(f"{where}: uses '{step['uses']}' is not OWNER/REPO@VERSION")
        if "id" in step:
            if step["id"] in ids:
                raise ActionError(f"{where}: id '{step['id']}' repeats")
            ids.add(step["id"])
    inputs = set(action.get("inputs") or {})
    for text in expressions(action):
        for name in re.findall(r"\binputs\.([\w-]+)", text):
            if name not in inputs:
                raise ActionError(f"${{{{ {text} }}}} names no input '{name}'")
        for name in re.findall(r"\bsteps\.([\w-]+)\.", text):
            if name not in ids:
                raise ActionError(f"${{{{ {text} }}}} names no step '{name}'")


def expressions(value):
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "if":
                yield str(item).removeprefix("${{").removesuffix("}}").strip()
            else:
                yield from expressions(item)
    elif isinstance(value, list):
        for item in value:
            yield from expressions(item)
    elif isinstance(value, str):
        yield from EXPRESSION.findall(value)


class Runner:
    def __init__(self, action_dir, workspace, temp, inputs):
        self.action_dir, self.workspace, self.temp = action_dir, workspace, temp
        self.inputs = inputs
        self.outputs = {}
        self.failed = False
        self.paths = []
        self.artifacts = {}
        self.count = 0
        self.summary = os.path.join(temp, "step-summary.md")
        open(self.summary, "w").close()

    def value(self, text):
        """One expression's value: a context lookup, a quoted string, a comparison, always()."""
        text = text.strip()
        if text == "always()":
            return True
        if text == "success()":
            return not self.failed
        for operator in ("&&",):
            if operator in text:
                return all(self.truth(part) for part in text.split(operator))
        for operator in ("!=", "=="):
            if operator in text:
                left, right = (str(self.value(part)) for part in text.split(operator, 1))
                return (left != right) if operator == "!=" else (left == right)
        if re.fullmatch(r"'[^']*'", text):
            return text[1:-1]
        parts = text.split(".")
        if parts[0] == "inputs" and len(parts) == 2:
            return self.inputs[parts[1]]
        if parts[0] == "steps" and len(parts) == 4 and parts[2] == "outputs":
            return self.outputs.get(parts[1], {}).get(parts[3], "")
        if text == "runner.temp":
            return self.temp
        if text == "runner.os":
            return "Linux"
        if text == "runner.arch":
            return {"x86_64": "X64", "aarch64": "ARM64"}.get(os.uname().machine, os.uname().machine)
        if text == "github.action_ref":
            return ""  # a local action (uses: ./): no ref
        if text == "github.action_path":
            return self.action_dir
        raise ActionError(f"cannot evaluate ${{{{ {text} }}}}")

    def truth(self, text):
        value = self.value(text)
        return value if isinstance(value, bool) else value not in ("", "false", "0")

    def substitute(self, text):
        return EXPRESSION.sub(lambda match: str(self.value(match.group(1))), str(text))

    def run(self, action):
        steps = []
        for step in action["runs"]["steps"]:
            condition = str(step.get("if", "success()")).removeprefix("${{").removesuffix("}}")
            uses_always = "always()" in condition
            if (self.failed and not uses_always) or not self.truth(condition):
                steps.append({"name": step.get("name"), "outcome": "skipped"})
                continue
            outcome = self.run_step(step)
            steps.append({"name": step.get("name"), "outcome": outcome})
            if outcome == "failure":
                self.failed = True
        outputs = {name: self.substitute(spec["value"]) for name, spec in (action.get("outputs") or {}).items()}
        with open(self.summary) as summary:
            summary_text = summary.read()
        return {"outputs": outputs, "steps": steps, "path": self.paths, "summary": summary_text,
                "artifacts": self.artifacts, "failed": self.failed}

    def run_step(self, step):
        if "uses" in step:
            action = step["uses"].split("@")[0]
            given = {key: self.substitute(value) for key, value in (step.get("with") or {}).items()}
            if action == "actions/cache":
                self.outputs[step.get("id", "")] = {"cache-hit": "false"}
                return "success"
            if action == "actions/upload-artifact":
                target = os.path.join(self.temp, "artifacts", given["name"])
                source = os.path.join(self.workspace, given["path"])
                if os.path.isdir(source):
                    shutil.copytree(source, target, symlinks=True)
                self.artifacts[given["name"]] = target
                return "success"
            raise ActionError(f"no stand-in for {action}")
        self.count += 1
        files = {}
        for name in ("output", "path"):
            files[name] = os.path.join(self.temp, f"github-{name}-{self.count}")
            open(files[name], "w").close()
        script = os.path.join(self.temp, "step.sh")
        with open(script, "w") as handle:
            handle.write(self.substitute(step["run"]))
        environment = dict(os.environ)
        environment["PATH"] = os.pathsep.join(self.paths[::-1] + [environment.get("PATH", "")])
        environment.update({
            "GITHUB_ACTION_PATH": self.action_dir, "GITHUB_OUTPUT": files["output"], "GITHUB_PATH": files["path"],
            "GITHUB_STEP_SUMMARY": self.summary, "RUNNER_TEMP": self.temp, "GITHUB_WORKSPACE": self.workspace,
            "GITHUB_ACTIONS": "true", "CI": "true",
        })
        for key, value in (step.get("env") or {}).items():
            environment[key] = self.substitute(value)
        if step["shell"] != "bash":
            raise ActionError(f"this runner only has bash, not {step['shell']}")
        result = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", script], cwd=self.workspace,
                                env=environment, stdout=sys.stderr)
        with open(files["output"]) as handle:
            pairs = [line.split("=", 1) for line in handle.read().splitlines() if "=" in line]
        if "id" in step:
            self.outputs[step["id"]] = dict(pairs)
        with open(files["path"]) as handle:
            self.paths += [line for line in handle.read().splitlines() if line]
        return "success" if result.returncode == 0 else "failure"


def main():
    action_dir, workspace, temp = (os.path.abspath(argument) for argument in sys.argv[1:4])
    with open(os.path.join(action_dir, "action.yml")) as handle:
        action = yaml.safe_load(handle)
    try:
        check(action)
        inputs = {name: str(spec.get("default", "")) for name, spec in (action.get("inputs") or {}).items()}
        for pair in sys.argv[4:]:
            name, value = pair.split("=", 1)
            if name not in inputs:
                raise ActionError(f"the action has no input '{name}'")
            inputs[name] = value
        print(json.dumps(Runner(action_dir, workspace, temp, inputs).run(action), indent=2))
    except ActionError as error:
        print(f"run_action.py: {error}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
