#!/usr/bin/env python3
"""The demo behind scripts/demo: three runs of the built binary against the emulator, as a
pipeline would run them, then what the emulator holds afterwards. Every secret stays masked."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "e2e"))
import harness  # noqa: E402

# Bold headings on a terminal only: redirected output gets no escape codes.
BOLD, PLAIN = ("\033[1m", "\033[0m") if sys.stdout.isatty() else ("", "")


def run(title: str, emulator: harness.Emulator, **inputs) -> harness.TaskResult:
    print(f"\n{BOLD}$ rotate-credential   # {title}{PLAIN}")
    result = harness.run_task(harness.task_env(emulator, **inputs), emulator=emulator)
    for line in agent_view(result):
        print("  " + line)
    print(f"  -> exit code {result.code}")
    if result.code != 0:
        sys.exit(f"demo: '{title}' failed")
    return result


def agent_view(result: harness.TaskResult) -> list[str]:
    """The log as the agent shows it: commands are processed, not printed; registered secrets are ***."""
    secrets: list[str] = []
    shown = []
    commands = {c.line: c for c in result.commands}
    for index, line in enumerate(result.lines):
        command = commands.get(index)
        if command is None:
            text = line
        elif command.event == "setsecret":
            secrets.append(command.data)
            continue
        elif command.event == "setvariable":
            secret = command.props.get("issecret") == "true"
            if secret:
                secrets.append(command.data)
            text = f"[output variable] {command.props.get('variable')} = {'***' if secret else command.data}"
        elif command.event in ("logissue", "issue"):
            text = f"##[{command.props.get('type')}]{command.data}"
        elif command.event == "complete":
            text = f"[result] {command.props.get('result')}: {command.data}"
        else:
            text = f"[{command.area}.{command.event}] {command.data}"
        for secret in sorted(secrets, key=len, reverse=True):
            text = text.replace(secret, "***")
        shown.append(text)
    hidden = len(secrets)
    shown.insert(0, f"({hidden} secret value(s) registered with the masker; their commands are not shown)")
    return shown


def main() -> None:
    with harness.Emulator() as emulator:
        print(f"Azure emulator on {emulator.base_url} (Entra ID, Graph, Azure DevOps, Key Vault)")
        run("pat-list: every PAT of the technical user", emulator,
            action="pat-list", renewWithinDays="7", **harness.identity_pat_owner())
        run("pat-rotate: replace 'ci-feed-reader', store it in Key Vault, revoke the old one", emulator,
            action="pat-rotate", tokenDisplayNames="ci-feed-reader", keyVaultName="kv-rotation",
            **harness.identity_pat_owner())
        run("app-secret-rotate: new client secret for payments-deployer, into Key Vault and two connections",
            emulator, action="app-secret-rotate", applicationId=harness.PAYMENTS_APP_ID,
            keyVaultName="kv-rotation", secretName="payments-deployer-secret",
            serviceConnections="payments-prod\npayments-auto", convertAutomaticConnections="true",
            azureDevOpsIdentity="azureSubscription", **harness.identity_wif(emulator))

        state = emulator.state()
        print(f"\n{BOLD}What the emulator holds now{PLAIN}")
        pats = [p for p in state["pats"] if p["displayName"] == "ci-feed-reader"]
        for pat in pats:
            status = "revoked" if pat.get("revoked") else "active"
            print(f"  PAT ci-feed-reader {pat['authorizationId']}: {status}, valid to {pat['validTo']}")
        app = next(a for a in state["apps"] if a["appId"] == harness.PAYMENTS_APP_ID)
        print(f"  payments-deployer client secrets: {len(app['passwordCredentials'])} "
              f"({', '.join(p['displayName'] or '-' for p in app['passwordCredentials'])})")
        vault = next(v for v in state["vaults"] if v["name"] == harness.VAULT)
        for name, versions in sorted(vault["secrets"].items()):
            tags = versions[-1].get("tags") or {}
            print(f"  Key Vault {harness.VAULT}/{name}: {len(versions)} version(s), latest tagged "
                  f"{', '.join(f'{k}={v}' for k, v in sorted(tags.items())) or '-'}")
        for name in ("payments-prod", "payments-auto"):
            endpoint = next(e for e in state["endpoints"] if e["name"] == name)
            key = endpoint["authorization"]["parameters"].get("serviceprincipalkey")
            live = any(p["secretText"] == key for p in app["passwordCredentials"])
            print(f"  Service connection {name}: creationMode {endpoint['data'].get('creationMode')}, "
                  f"key is {'the live new secret' if live else 'NOT a live secret'}")
        leaks = harness.leak_failures()
        print(f"\nSecret-leak check over the three runs: {'no secret printed unmasked' if not leaks else leaks}")
        if leaks:
            sys.exit(1)


if __name__ == "__main__":
    main()
