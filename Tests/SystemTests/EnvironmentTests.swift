import Foundation
import ProctorJSON
import ProctorTestSupport
import Testing
@testable import SystemWatch

extension SystemIntegrationTests {
    /// The machine's own virtual machine and container evidence, checked
    /// against systemd-detect-virt, which reads the same things its own way.
    @Suite struct EnvironmentTests {
        /// systemd-detect-virt's names, and what our evidence says for them.
        static let hypervisorWords = ["kvm": "KVM", "qemu": "QEMU", "vmware": "VMware", "oracle": "VirtualBox", "microsoft": "Hyper-V",
                                      "xen": "Xen", "bochs": "Bochs", "parallels": "Parallels", "bhyve": "bhyve", "amazon": "Amazon EC2"]

        @Test func theEvidenceAgreesWithSystemdDetectVirt() async throws {
            let scenario = try await SystemScenario.start(config: ["method": "scan", "programs": []])
            let environment = try #require(await scenario.waitFor("system.environment"))
            let evidence = try #require(environment.data["evidence"]?.arrayValue)
            #expect(environment.data["reason"] == "start")
            let vm = try #require(await scenario.waitFor("system.vm"))
            guard let machine = output(of: "/usr/bin/systemd-detect-virt", ["--vm"]),
                let container = output(of: "/usr/bin/systemd-detect-virt", ["--container"])
            else {
                // Nothing to compare with: the evidence must still be well formed.
                #expect(try scenario.schemaProblems() == [])
                await scenario.stop()
                return
            }
            let hypervisor = evidence.filter { ["hypervisor_cpu", "hypervisor_vendor", "dmi", "sys_hypervisor"].contains($0["kind"]?.stringValue ?? "") }
            if machine == "none" {
                #expect(hypervisor.isEmpty, "systemd-detect-virt says no VM; the plugin saw \(hypervisor)")
                #expect(vm.data["active"] == false)
            } else {
                #expect(vm.data["active"] == true, "systemd-detect-virt --vm says \(machine): \(evidence)")
                if let word = Self.hypervisorWords[machine] {
                    #expect(hypervisor.contains { ($0["value"]?.stringValue ?? "").lowercased().contains(word.lowercased()) },
                            "systemd-detect-virt --vm says \(machine); evidence: \(hypervisor)")
                }
            }
            let containers = evidence.filter { $0["kind"] == "container" }.compactMap { $0["value"]?.stringValue }
            if container == "none" {
                #expect(containers.isEmpty, "systemd-detect-virt says no container; the plugin saw \(containers)")
            } else {
                #expect(containers.contains(container), "systemd-detect-virt --container says \(container); evidence: \(containers)")
            }
            #expect(try scenario.schemaProblems() == [])
            await scenario.stop()
        }

        /// An SSH login is evidence with the client's address as sshd gives
        /// it, named by the variable it came from (SSH_CLIENT, sshd's older
        /// one, when SSH_CONNECTION is not there).
        @Test func anSSHSessionNamesTheVariableItWasReadFrom() {
            let newer = EnvironmentProbe(agentEnvironment: ["SSH_CONNECTION": "192.0.2.7 50022 192.0.2.1 22", "SSH_CLIENT": "192.0.2.7 50022 22"])
            #expect(newer.gather().filter { $0.kind == "ssh_session" }
                == [Evidence(kind: "ssh_session", source: "SSH_CONNECTION", value: "192.0.2.7 50022 192.0.2.1 22")])
            let older = EnvironmentProbe(agentEnvironment: ["SSH_CONNECTION": "", "SSH_CLIENT": "192.0.2.7 50022 22"])
            #expect(older.gather().filter { $0.kind == "ssh_session" } == [Evidence(kind: "ssh_session", source: "SSH_CLIENT", value: "192.0.2.7 50022 22")])
            #expect(EnvironmentProbe(agentEnvironment: [:]).gather().filter { $0.kind == "ssh_session" } == [])
        }
    }
}
