"""The words synthetic products are made of (``risks/synthetic/build.py``).

Safety concerns, measures, studies and section texts use the real vocabulary of EU risk
management plans, so that the same concern recurs across products as it does in reality.
Brand names, substances and companies are invented from syllables: none is a real medicine
or company (a name that happened to equal one would still only be a string of syllables).

The order of ``RISKS`` and ``MISSING_INFORMATION`` matters: the generator draws them with
Zipf-like weights, so the first entries recur across many products and the last are rare.
"""

# Important identified and potential risks, the most frequent first.
RISKS = (
    "Serious infections",
    "Hypersensitivity reactions including anaphylaxis",
    "Hepatotoxicity",
    "Progressive multifocal leukoencephalopathy (PML)",
    "Malignancies",
    "Infusion-related reactions",
    "Neutropenia",
    "Embryo-foetal toxicity",
    "Interstitial lung disease",
    "QT interval prolongation",
    "Medication errors",
    "Cardiac failure",
    "Opportunistic infections",
    "Thrombocytopenia",
    "Haemorrhage",
    "Venous thromboembolism",
    "Severe cutaneous adverse reactions (SCARs)",
    "Nephrotoxicity",
    "Immunogenicity",
    "Tumour lysis syndrome (TLS)",
    "Cytokine release syndrome (CRS)",
    "Immune-mediated adverse reactions",
    "Herpes zoster",
    "Hepatitis B virus reactivation",
    "Tuberculosis",
    "Pancreatitis",
    "Hypoglycaemia",
    "Osteonecrosis of the jaw",
    "Anaemia",
    "Major adverse cardiovascular events (MACE)",
    "Stroke",
    "Suicidal ideation and behaviour",
    "Seizures",
    "Peripheral neuropathy",
    "Gastrointestinal perforation",
    "Posterior reversible encephalopathy syndrome (PRES)",
    "Injection site reactions",
    "Lymphopenia",
    "Febrile neutropenia",
    "Arterial thromboembolic events",
    "Hypertension",
    "Diarrhoea and colitis",
    "Immune-mediated hepatitis",
    "Immune-mediated pneumonitis",
    "Immune-mediated colitis",
    "Immune-mediated endocrinopathies",
    "Immune-mediated nephritis",
    "Left ventricular dysfunction",
    "Cardiac arrhythmias",
    "Bradycardia",
    "Hepatic failure",
    "Drug-induced liver injury (DILI)",
    "Acute kidney injury",
    "Lactic acidosis",
    "Diabetic ketoacidosis",
    "Fournier's gangrene",
    "Lower limb amputation",
    "Bone fractures",
    "Hyperglycaemia",
    "Hyperkalaemia",
    "Hypokalaemia",
    "Hypocalcaemia",
    "Hypophosphataemia",
    "Electrolyte imbalance",
    "Dehydration",
    "Weight gain",
    "Dyslipidaemia",
    "Abuse, misuse and dependence",
    "Withdrawal symptoms",
    "Respiratory depression",
    "Serotonin syndrome",
    "Neuroleptic malignant syndrome",
    "Extrapyramidal symptoms",
    "Tardive dyskinesia",
    "Somnolence and sedation",
    "Cognitive impairment",
    "Depression",
    "Psychiatric disorders",
    "Falls and fractures",
    "Syncope",
    "Orthostatic hypotension",
    "Visual disturbances",
    "Macular oedema",
    "Retinal vein occlusion",
    "Keratitis",
    "Ocular toxicity",
    "Ototoxicity",
    "Optic neuritis",
    "Pulmonary arterial hypertension",
    "Pulmonary embolism",
    "Pleural effusion",
    "Fluid retention and oedema",
    "Capillary leak syndrome",
    "Haemophagocytic lymphohistiocytosis (HLH)",
    "Thrombotic microangiopathy",
    "Thrombotic thrombocytopenic purpura (TTP)",
    "Immune thrombocytopenia (ITP)",
    "Haemolytic anaemia",
    "Aplastic anaemia",
    "Agranulocytosis",
    "Pancytopenia",
    "Myelosuppression",
    "Myelodysplastic syndrome and acute myeloid leukaemia",
    "Second primary malignancies",
    "Non-melanoma skin cancer",
    "Melanoma",
    "Lymphoma",
    "Hepatocellular carcinoma",
    "Breast cancer",
    "Prostate cancer",
    "Thyroid C-cell tumours",
    "Pancreatic cancer",
    "Teratogenicity",
    "Impaired male fertility",
    "Ovarian hyperstimulation syndrome",
    "Endometrial hyperplasia",
    "Hypogonadism",
    "Adrenal insufficiency",
    "Hypothyroidism",
    "Hyperthyroidism",
    "Thyroid disorders",
    "Autoimmune disorders",
    "Autoimmune hepatitis",
    "Glomerulonephritis",
    "Nephrotic syndrome",
    "Interstitial nephritis",
    "Urinary tract infections",
    "Genital mycotic infections",
    "Candidiasis",
    "Pneumocystis jirovecii pneumonia",
    "Cytomegalovirus infection and reactivation",
    "Invasive fungal infections",
    "Sepsis",
    "Meningococcal infections",
    "Encephalitis",
    "Guillain-Barré syndrome",
    "Demyelinating disorders",
    "Myasthenia gravis",
    "Myositis",
    "Rhabdomyolysis",
    "Myocarditis",
    "Pericarditis",
    "Cardiomyopathy",
    "Myocardial infarction",
    "Myocardial ischaemia",
    "Heart valve disorders",
    "Aortic aneurysm and dissection",
    "Vasculitis",
    "Peripheral ischaemia",
    "Wound healing complications",
    "Gastrointestinal bleeding",
    "Intracranial haemorrhage",
    "Major bleeding",
    "Angioedema",
    "Serum sickness",
    "Stevens-Johnson syndrome and toxic epidermal necrolysis",
    "Drug reaction with eosinophilia and systemic symptoms (DRESS)",
    "Photosensitivity",
    "Alopecia",
    "Hand-foot syndrome",
    "Rash",
    "Pruritus",
    "Mucositis and stomatitis",
    "Nausea and vomiting",
    "Intestinal obstruction",
    "Cholelithiasis",
    "Cholecystitis",
    "Pancreatic enzyme elevation",
    "Hepatic veno-occlusive disease",
    "Portal hypertension",
    "Hepatic decompensation",
    "Hyperammonaemia",
    "Metabolic acidosis",
    "Hyponatraemia",
    "Hypomagnesaemia",
    "Osteoporosis",
    "Atypical femoral fractures",
    "Growth retardation",
    "Effects on growth and development",
    "Neurodevelopmental effects",
    "Off-label use",
    "Off-label use in paediatric patients",
    "Misuse for illegal purposes",
    "Overdose",
    "Accidental exposure",
    "Transmission of infectious agents",
    "Loss of efficacy due to neutralising antibodies",
    "Lack of efficacy",
    "Interaction with strong CYP3A4 inhibitors",
    "Infections following live vaccine administration",
    "Hypotension",
    "Atrioventricular block",
    "Atrial fibrillation",
    "Ventricular arrhythmias",
    "Torsade de pointes",
    "Sudden cardiac death",
    "Fluid overload",
    "Pulmonary toxicity",
    "Pulmonary fibrosis",
    "Bronchospasm",
    "Acute respiratory distress syndrome",
    "Radiation recall",
    "Extravasation",
    "Tissue necrosis at the injection site",
    "Lipodystrophy",
    "Neurotoxicity",
    "Immune effector cell-associated neurotoxicity syndrome (ICANS)",
    "Graft-versus-host disease",
    "Transplant rejection",
    "Insertional oncogenesis",
    "Replication-competent virus",
    "Hyperuricaemia",
    "Gout",
    "Nephrolithiasis",
    "Haematuria",
    "Proteinuria",
    "Hepatic enzyme elevations",
    "Hyperbilirubinaemia",
    "Cholestasis",
    "Musculoskeletal pain",
    "Tendon rupture",
    "Arthralgia",
    "Eosinophilia",
    "Eosinophilic pneumonia",
    "Sarcoidosis",
    "Paradoxical psoriasis",
    "Inflammatory bowel disease",
    "Lupus-like syndrome",
    "Dysgeusia",
    "Sleep disturbances",
    "Abnormal dreams",
    "Aggression and hostility",
    "Impulse control disorders",
    "Hallucinations",
    "Confusional state",
    "Increased mortality in elderly patients with dementia",
    "Increased mortality",
    "Rebound after treatment discontinuation",
    "Hepatitis flare after discontinuation",
    "Development of drug resistance",
    "Immune reconstitution inflammatory syndrome",
)

# Missing information, the most frequent first, with the SmPC sections that address it.
MISSING_INFORMATION = (
    ("Use in pregnancy and lactation", "4.6"),
    ("Use in paediatric patients", "4.2 5.1"),
    ("Use in elderly patients", "4.2 5.2"),
    ("Long-term safety", "5.1"),
    ("Use in patients with hepatic impairment", "4.2 5.2"),
    ("Use in patients with severe renal impairment", "4.2 5.2"),
    ("Use in pregnant women", "4.6"),
    ("Use in breast-feeding women", "4.6"),
    ("Use in patients with cardiac impairment", "4.4"),
    ("Use in patients with active or chronic infections", "4.3 4.4"),
    ("Use in patients with a history of malignancy", "4.4"),
    ("Use in immunocompromised patients", "4.4"),
    ("Use in patients with HIV, hepatitis B or hepatitis C infection", "4.4"),
    ("Long-term use beyond 2 years", "5.1"),
    ("Use in non-Caucasian patients", "5.2"),
    ("Effects on fertility", "4.6"),
    ("Use in patients with moderate or severe hepatic impairment", "4.2 5.2"),
    ("Use in children under 2 years of age", "4.2"),
    ("Use in adolescents", "4.2"),
    ("Use in patients aged 75 years and older", "4.2 5.2"),
    ("Use in patients with end-stage renal disease on dialysis", "4.2 5.2"),
    ("Use in patients with a history of cardiovascular disease", "4.4"),
    ("Use in patients with unstable angina or recent myocardial infarction", "4.4"),
    ("Use in patients with NYHA class III-IV heart failure", "4.4"),
    ("Use in patients with chronic obstructive pulmonary disease", "4.4"),
    ("Use in patients with diabetes mellitus", "4.4"),
    ("Use in patients with autoimmune disease", "4.4"),
    ("Use in patients with a history of depression", "4.4"),
    ("Use in patients with epilepsy", "4.4"),
    ("Use with live vaccines", "4.5"),
    ("Response to vaccination", "4.5"),
    ("Use in combination with other immunosuppressants", "4.5"),
    ("Use in combination with other antineoplastic agents", "4.5"),
    ("Concomitant use with strong CYP3A4 inhibitors", "4.5"),
    ("Concomitant use with anticoagulants", "4.5"),
    ("Use in patients previously treated with biologics", "5.1"),
    ("Safety of retreatment", "4.2"),
    ("Use in patients with body weight below 40 kg", "4.2"),
    ("Use in patients with obesity", "5.2"),
    ("Use in women of childbearing potential", "4.6"),
    ("Paternal exposure", "4.6"),
    ("Long-term effects on growth and development in children", "4.2 5.1"),
    ("Long-term effects on bone health", "5.1"),
    ("Long-term cardiovascular safety", "5.1"),
    ("Long-term malignancy risk", "5.1"),
    ("Use in patients with severe hepatic impairment", "4.2 5.2"),
    ("Use in patients with a history of hypersensitivity to biologics", "4.3"),
    ("Use in patients with pre-existing neurological disorders", "4.4"),
    ("Use in patients with bleeding disorders", "4.4"),
    ("Use in patients with bone marrow suppression", "4.4"),
    ("Use in patients with low CD4 counts", "4.4"),
    ("Use in patients after stem cell transplantation", "4.4"),
    ("Use in patients with brain metastases", "4.4"),
    ("Use in patients with ECOG performance status of 2 or more", "5.1"),
    ("Long-term immunogenicity", "5.1"),
    ("Use in patients undergoing surgery", "4.4"),
    ("Use in patients with moderate renal impairment", "4.2 5.2"),
    ("Use in patients with a history of pancreatitis", "4.4"),
    ("Use in patients with inflammatory bowel disease", "4.4"),
    ("Use in patients with interstitial lung disease", "4.4"),
    ("Safety beyond 5 years of treatment", "5.1"),
    ("Use in patients with psychiatric disorders", "4.4"),
    ("Use in patients with hereditary galactose intolerance", "4.4"),
    ("Use in patients with severe asthma", "4.4"),
    ("Use in patients with chronic kidney disease", "4.2 5.2"),
    ("Use in patients with prior organ transplantation", "4.4"),
    ("Use in patients with sickle cell disease", "4.4"),
    ("Use in patients with Down syndrome", "5.1"),
    ("Use in patients with significant hepatic fibrosis", "4.4"),
    ("Use in patients on long-term corticosteroids", "4.5"),
)

# Evidence for linking a risk to the medicine. Fields: {concern} {brand} {substance}
# {pct} {pct2} {n} {patients} {months} {fold}.
EVIDENCE_SENTENCES = (
    "In the pivotal clinical studies, {concern} was reported in {pct}% of patients treated with "
    "{brand} and in {pct2}% of patients who received placebo.",
    "Cases of {concern}, some of them serious or fatal, have been reported in the post-marketing "
    "setting.",
    "The mechanism of action of {substance} provides a biological rationale for an increased risk.",
    "Non-clinical studies showed findings consistent with this risk at exposures {fold} times the "
    "clinical exposure.",
    "Evidence comes from {n} clinical studies including {patients} patients and from spontaneous "
    "reports.",
    "The risk is known for other medicines of the same pharmacological class.",
    "A causal relationship with {substance} cannot be excluded on the basis of the available data.",
    "Most events occurred within the first {months} months of treatment and resolved after "
    "treatment interruption.",
    "The incidence was higher in patients who received the higher dose.",
    "Published literature on medicines of the same class supports the association.",
    "In the long-term extension study, the exposure-adjusted incidence rate was {pct} per 100 "
    "patient-years.",
    "No imbalance was seen between the treatment arms, but the number of events was small.",
    "Clinical studies and post-marketing experience.",
    "Serious cases were reported in {pct2}% of patients; the median time to onset was {months} "
    "months.",
)

# Risk factors and risk groups. Fields: {concern} {factor} {factor2} {comedication}.
RISK_FACTOR_SENTENCES = (
    "Patients with {factor} may be at increased risk.",
    "Concomitant use of {comedication} increases the risk.",
    "Elderly patients and patients with {factor} appear to be at higher risk.",
    "No specific risk factors have been identified.",
    "The risk increases with the cumulative dose and the duration of treatment.",
    "Patients with a history of {concern} are at increased risk of recurrence.",
    "Risk factors in the general population include {factor} and {factor2}.",
    "The risk may be higher in patients with {factor}, who were excluded from the clinical "
    "studies.",
    "There was no dose-related pattern and no additive or synergistic factor was identified.",
    "Women were more often affected than men in the clinical studies.",
)

RISK_FACTORS = (
    "renal impairment",
    "hepatic impairment",
    "diabetes mellitus",
    "a low body weight",
    "prior exposure to immunosuppressants",
    "advanced age",
    "a history of smoking",
    "low baseline lymphocyte counts",
    "cardiovascular disease",
    "a genetic predisposition",
    "obesity",
    "chronic alcohol use",
    "hypoalbuminaemia",
    "prior radiotherapy",
    "a high tumour burden",
    "dehydration",
)

COMEDICATIONS = (
    "corticosteroids",
    "other immunosuppressants",
    "strong CYP3A4 inhibitors",
    "anticoagulants or antiplatelet agents",
    "nephrotoxic medicines",
    "medicines that prolong the QT interval",
    "methotrexate",
    "insulin or sulphonylureas",
    "opioids or other central nervous system depressants",
    "non-steroidal anti-inflammatory drugs",
)

# Warnings for a risk in SmPC 4.4 (or USPI 5). Fields: {concern} {brand} {factor}.
WARNING_SENTENCES = (
    "Patients should be monitored for signs and symptoms of {concern} during treatment with "
    "{brand}.",
    "If {concern} is suspected, treatment with {brand} should be interrupted and appropriate "
    "investigations performed.",
    "{brand} should be permanently discontinued in patients who develop severe {concern}.",
    "Patients with {factor} should be treated with caution.",
    "Patients should be advised to seek medical attention immediately if symptoms of {concern} "
    "occur.",
    "Monitoring is recommended before the start of treatment, every month during the first year "
    "and thereafter as clinically indicated.",
    "Dose interruption or reduction may be required; see section 4.2.",
)

# General text of each product information section: (document, section) -> sentences.
# Fields: {brand} {substance} {disease} {specialist} {route} {form}.
SECTION_SENTENCES = {
    ("smpc", "4.1"): (
        "{brand} is indicated for the treatment of adult patients with {disease}.",
        "{brand} is indicated in combination with standard therapy in patients who have had an "
        "inadequate response to at least one prior treatment.",
        "See section 5.1 for the results of the clinical studies in the different populations.",
    ),
    ("smpc", "4.2"): (
        "Patients should be premedicated with an antihistamine and an antipyretic 30 to 60 "
        "minutes before each dose.",
        "In patients who experience a grade 3 or 4 adverse reaction, treatment should be "
        "withheld until recovery to grade 1 or baseline, then resumed at the next lower dose "
        "level.",
        "Treatment should be continued as long as clinical benefit is observed or until "
        "unacceptable toxicity occurs.",
        "No dose adjustment is required in patients with mild hepatic impairment (Child-Pugh "
        "class A). Use in patients with moderate or severe hepatic impairment is not "
        "recommended.",
        "The tablets should be swallowed whole with water, with or without food, at "
        "approximately the same time each day.",
        "For single use only. Any unused medicinal product or waste material should be "
        "disposed of in accordance with local requirements.",
        "Treatment should be initiated and supervised by a {specialist} experienced in the "
        "treatment of {disease}.",
        "The recommended dose is {dose} mg once {interval}.",
        "No dose adjustment is required in elderly patients.",
        "The safety and efficacy of {brand} in children aged below 18 years have not been "
        "established. No data are available.",
        "If a dose is missed, it should be taken as soon as possible unless the next dose is due "
        "within 12 hours.",
        "{brand} is for {route}. The {form} should be inspected visually before administration.",
        "Dose modifications for adverse reactions are described in Table 1.",
        "No dose adjustment is required in patients with mild or moderate renal impairment; "
        "{brand} has not been studied in patients with severe renal impairment.",
    ),
    ("smpc", "4.3"): (
        "Concomitant use with live vaccines.",
        "Patients with a history of progressive multifocal leukoencephalopathy.",
        "Known active malignancies, except non-melanoma skin cancer.",
        "Hypersensitivity to the active substance or to any of the excipients listed in section "
        "6.1.",
        "Active, severe infections such as sepsis or opportunistic infections.",
        "Pregnancy and breast-feeding (see section 4.6).",
        "Severe hepatic impairment (Child-Pugh class C).",
    ),
    ("smpc", "4.4"): (
        "In order to improve the traceability of biological medicinal products, the name and the "
        "batch number of the administered product should be clearly recorded.",
        "This medicinal product contains less than 1 mmol sodium (23 mg) per dose, that is to say "
        "essentially 'sodium-free'.",
        "Patients should be given the patient alert card and informed about the risks of "
        "treatment.",
    ),
    ("smpc", "4.5"): (
        "Co-administration with oral contraceptives did not affect the pharmacokinetics of "
        "ethinylestradiol or levonorgestrel.",
        "The effect of {brand} on the exposure of sensitive CYP2C9 substrates has not been "
        "studied; caution is advised.",
        "Medicinal products that increase gastric pH reduced the absorption of {substance} by "
        "30%; the clinical relevance is unknown.",
        "No clinically relevant interaction was observed with methotrexate, corticosteroids or "
        "non-steroidal anti-inflammatory drugs.",
        "Immunisation with live vaccines should be completed at least 4 weeks before the start "
        "of treatment.",
        "No formal interaction studies have been performed with {brand}.",
        "{substance} is mainly metabolised by CYP3A4; strong inhibitors of CYP3A4 increased its "
        "exposure by 2.5-fold.",
        "Live vaccines should not be given concurrently with {brand}.",
        "Co-administration with strong CYP3A4 inducers should be avoided.",
        "In vitro, {substance} inhibits P-gp and BCRP; caution is advised with sensitive "
        "substrates.",
    ),
    ("smpc", "4.6"): (
        "As a precautionary measure, it is preferable to avoid the use of {brand} during "
        "pregnancy.",
        "Breast-feeding should be discontinued during treatment with {brand} and for 3 months "
        "after the last dose.",
        "Animal studies did not indicate direct or indirect harmful effects with respect to "
        "fertility.",
        "Male patients with partners of childbearing potential should use a condom during "
        "treatment.",
        "Women of childbearing potential should use effective contraception during treatment and "
        "for at least 5 months after the last dose.",
        "There are no or limited data from the use of {substance} in pregnant women. Animal "
        "studies have shown reproductive toxicity (see section 5.3).",
        "{brand} is not recommended during pregnancy.",
        "It is unknown whether {substance} or its metabolites are excreted in human milk. A risk "
        "to the breast-fed child cannot be excluded.",
        "No data on the effect of {substance} on human fertility are available.",
    ),
    ("smpc", "4.7"): (
        "{brand} has minor influence on the ability to drive and use machines.",
        "Dizziness and fatigue have been reported; patients should be cautioned.",
    ),
    ("smpc", "4.8"): (
        "The most common serious adverse reactions were pneumonia, pyrexia and sepsis.",
        "Laboratory abnormalities included increased alanine aminotransferase, decreased "
        "neutrophil count and decreased lymphocyte count.",
        "The safety profile in elderly patients was consistent with that in younger adults.",
        "In the paediatric clinical study, the frequency, type and severity of adverse "
        "reactions were similar to those in adults.",
        "Infections and infestations: very common: upper respiratory tract infection; common: "
        "urinary tract infection, herpes simplex, oral candidiasis.",
        "Gastrointestinal disorders: very common: nausea, diarrhoea; common: vomiting, "
        "abdominal pain, dyspepsia.",
        "General disorders and administration site conditions: very common: fatigue; common: "
        "pyrexia, peripheral oedema.",
        "Skin and subcutaneous tissue disorders: common: rash, pruritus; uncommon: urticaria.",
        "Nervous system disorders: very common: headache; common: dizziness, paraesthesia.",
        "The safety of {brand} was evaluated in {patients} patients in clinical studies.",
        "The most common adverse reactions were nausea, fatigue, headache and diarrhoea.",
        "Adverse reactions are listed by MedDRA system organ class and frequency: very common "
        "(≥ 1/10), common (≥ 1/100 to < 1/10), uncommon (≥ 1/1,000 to < 1/100), rare "
        "(≥ 1/10,000 to < 1/1,000).",
        "Within each frequency grouping, adverse reactions are presented in order of decreasing "
        "seriousness.",
        "Reporting suspected adverse reactions after authorisation of the medicinal product is "
        "important. Healthcare professionals are asked to report any suspected adverse reactions "
        "via the national reporting system.",
        "Discontinuation of treatment due to adverse reactions occurred in {pct}% of patients.",
    ),
    ("smpc", "4.9"): (
        "There is no specific antidote for overdose with {brand}.",
        "In the event of an overdose, patients should be monitored closely for signs or symptoms "
        "of adverse reactions and appropriate symptomatic treatment instituted.",
    ),
    ("smpc", "5.1"): (
        "Mechanism of action: {substance} binds with high affinity to its target and blocks "
        "downstream signalling.",
        "Pharmacodynamic effects: a dose-dependent reduction of the biomarker was observed "
        "from the first week of treatment.",
        "In the second pivotal study, {patients} patients were randomised 2:1 to {brand} or to "
        "the comparator; the response rate was {pct}% versus {pct2}%.",
        "Results were consistent across the prespecified subgroups of age, sex, region and "
        "baseline disease severity.",
        "Anti-drug antibodies were detected in {pct2}% of patients; they had no apparent "
        "effect on efficacy or safety.",
        "Pharmacotherapeutic group: {group}.",
        "{substance} is a selective inhibitor of a key pathway involved in {disease}.",
        "The efficacy of {brand} was evaluated in a randomised, double-blind, placebo-controlled "
        "study in {patients} patients.",
        "The primary endpoint was met: the hazard ratio was 0.{hr} (95% CI 0.{hr_low} to "
        "0.{hr_high}).",
        "The European Medicines Agency has deferred the obligation to submit the results of "
        "studies with {brand} in one or more subsets of the paediatric population.",
        "This medicinal product has been authorised under a so-called 'conditional approval' "
        "scheme; new information will be reviewed at least every year.",
    ),
    ("smpc", "5.2"): (
        "Absorption is not affected by a high-fat meal to a clinically relevant extent.",
        "The volume of distribution at steady state is approximately 7 litres, and plasma "
        "protein binding is 95%.",
        "Steady state is reached after about 3 doses, with an accumulation ratio of 1.6.",
        "Pharmacokinetics are linear over the dose range studied.",
        "Mild or moderate renal impairment had no clinically relevant effect on the "
        "pharmacokinetics of {substance}.",
        "After {route}, peak plasma concentrations are reached within {hours} hours.",
        "The terminal half-life of {substance} is approximately {hours} days.",
        "{substance} is extensively metabolised; less than 5% is excreted unchanged in urine.",
        "Age, sex, race and body weight had no clinically meaningful effect on the "
        "pharmacokinetics of {substance}.",
        "Exposure increased by 40% in patients with moderate hepatic impairment.",
    ),
    ("pl", "1"): (
        "{brand} contains the active substance {substance}.",
        "{brand} is used to treat adults with {disease}.",
        "If you have any questions about how {brand} works or why this medicine has been "
        "prescribed for you, ask your doctor.",
    ),
    ("pl", "2"): (
        "Tell your doctor straight away if you get a fever, chills or other signs of an infection.",
        "Your doctor will do blood tests before you start taking {brand} and regularly during "
        "treatment.",
        "Do not have live vaccines while you are being treated with {brand}.",
        "Driving and using machines: {brand} may make you feel dizzy or tired. If this "
        "happens, do not drive or use machines.",
        "Women who could become pregnant must use effective contraception during treatment and "
        "for some time after the last dose.",
        "Do not take {brand} if you are allergic to {substance} or any of the other ingredients "
        "of this medicine (listed in section 6).",
        "Talk to your doctor or pharmacist before taking {brand}.",
        "Tell your doctor if you are pregnant or breast-feeding, think you may be pregnant or are "
        "planning to have a baby.",
        "Tell your doctor if you are taking, have recently taken or might take any other "
        "medicines.",
        "Do not give this medicine to children and adolescents under 18 years of age.",
        "This medicine contains less than 1 mmol sodium (23 mg) per dose.",
    ),
    ("pl", "3"): (
        "Your doctor or nurse will give you {brand} as a drip into a vein (infusion) over "
        "about 60 minutes.",
        "If you forget to take {brand}, take it as soon as you remember, unless it is nearly "
        "time for the next dose.",
        "Your doctor will decide how long you need to take {brand}.",
        "If you have any further questions on the use of this medicine, ask your doctor, "
        "pharmacist or nurse.",
        "Always take this medicine exactly as your doctor has told you. Check with your doctor if "
        "you are not sure.",
        "The recommended dose is {dose} mg once {interval}.",
        "If you take more {brand} than you should, talk to a doctor straight away.",
        "Do not stop taking {brand} unless your doctor tells you to.",
    ),
    ("pl", "4"): (
        "Uncommon side effects (may affect up to 1 in 100 people): hives, swelling of the "
        "face, lips or tongue.",
        "Side effects that may show up in blood tests: changes in liver enzymes, a low number "
        "of white blood cells.",
        "Rare side effects (may affect up to 1 in 1,000 people): severe allergic reaction.",
        "Like all medicines, this medicine can cause side effects, although not everybody gets "
        "them.",
        "Very common side effects (may affect more than 1 in 10 people): headache, nausea, "
        "tiredness.",
        "Common side effects (may affect up to 1 in 10 people): diarrhoea, rash, dizziness.",
        "If you get any side effects, talk to your doctor, pharmacist or nurse. You can also "
        "report side effects directly via the national reporting system.",
    ),
    ("pl", "5"): (
        "Keep this medicine out of the sight and reach of children.",
        "Store in a refrigerator (2 °C – 8 °C). Do not freeze.",
    ),
    ("pl", "6"): (
        "The other ingredients are sucrose, polysorbate 80, histidine and water for injections.",
        "Marketing authorisation holder and manufacturer: see the end of this leaflet.",
        "The active substance is {substance}.",
        "{brand} is supplied as {form} in packs of 1 or 3.",
    ),
}

# Text of US prescribing information sections, borrowed from their EU counterparts.
USPI_EQUIVALENTS = {"1": "4.1", "2": "4.2", "4": "4.3", "5": "4.4", "6": "4.8", "8": "4.6"}

# Target length range (characters) of each section's text.
SECTION_LENGTHS = {
    "4.1": (250, 900),
    "4.2": (800, 2500),
    "4.3": (100, 600),
    "4.4": (1200, 5000),
    "4.5": (400, 2000),
    "4.6": (500, 1600),
    "4.7": (120, 400),
    "4.8": (1500, 5000),
    "4.9": (150, 500),
    "5.1": (800, 2800),
    "5.2": (600, 2000),
    "1": (250, 600),
    "2": (900, 3000),
    "3": (500, 1500),
    "4": (900, 3000),
    "5": (150, 400),
    "6": (300, 800),
}

LEGAL_STATUS = (
    "Prescription only medicine.",
    "Restricted medical prescription.",
    "Medicinal product subject to restricted medical prescription.",
    "Legal status: prescription only medicine (POM).",
)
CLINICAL_SETTING = (
    "Treatment should be initiated and supervised by a {specialist} experienced in the "
    "treatment of {disease}.",
    "For hospital use only; administered in a setting where resuscitation facilities are "
    "immediately available.",
    "Administered under the supervision of a healthcare professional.",
)
PACK_SIZE = (
    "Pack size limited to a 28-day supply.",
    "Pack size of one pre-filled pen.",
    "Supplied in single-dose vials only.",
)
OTHER_ROUTINE = (
    "Patient alert card included in the pack.",
    "Recommendations for laboratory monitoring before and during treatment.",
    "Package leaflet available in large print on request.",
)

# Additional risk minimisation measures by kind: (names, description).
ADDITIONAL_MEASURES = {
    "educational_material": (
        (
            "Educational materials for healthcare professionals",
            "Educational materials (HCP guide and patient guide)",
            "Prescriber guide and patient/carer guide",
            "Physician's checklist and patient brochure",
        ),
        "Educational materials for healthcare professionals and patients to raise awareness of "
        "{concerns} and of their early signs and symptoms, distributed before launch and at "
        "yearly intervals thereafter.",
    ),
    "patient_card": (
        ("Patient alert card", "Patient card"),
        "A card that patients carry with them, informing any healthcare professional treating "
        "them of the risk of {concerns} and of the need for prompt evaluation.",
    ),
    "controlled_access": (
        ("Controlled distribution programme", "Controlled access programme"),
        "{brand} is dispensed only to patients whose prescriber has confirmed that the "
        "monitoring of {concerns} is in place.",
    ),
    "pregnancy_prevention": (
        ("Pregnancy prevention programme",),
        "A programme of education, pregnancy testing and contraception for women of childbearing "
        "potential, to prevent foetal exposure; it addresses {concerns}.",
    ),
    "dhpc": (
        ("Direct healthcare professional communication (DHPC)",),
        "A letter to prescribers and pharmacists about {concerns} and the updated recommendations "
        "of the product information.",
    ),
    "other": (
        ("Dose calculation tool", "Training on administration for healthcare professionals"),
        "A tool for healthcare professionals to reduce the risk of {concerns}.",
    ),
}

# Studies: titles by design. Fields: {brand} {substance} {disease} {concern} {phase}.
STUDY_TITLES = {
    "registry": (
        "A prospective, multicentre registry of patients with {disease} treated with {brand}",
        "Pregnancy registry to evaluate the outcomes of pregnancies exposed to {substance}",
        "Disease registry-based study of the long-term safety of {brand}",
    ),
    "drug_utilisation": (
        "A drug utilisation study of {brand} in five European countries to describe prescribing "
        "patterns and off-label use",
        "A survey of healthcare professionals and patients to evaluate the effectiveness of the "
        "additional risk minimisation measures for {brand}",
    ),
    "observational_cohort": (
        "A non-interventional post-authorisation safety study of the long-term safety of {brand} "
        "in patients with {disease}",
        "A cohort study to evaluate the risk of {concern} in patients treated with {brand} "
        "compared with other therapies",
        "A retrospective database study of {concern} in patients exposed to {substance}",
    ),
    "clinical_trial": (
        "A randomised, open-label, phase {phase} study of the long-term safety and efficacy of "
        "{brand} in patients with {disease}",
        "A phase 2 study of the pharmacokinetics, safety and efficacy of {brand} in paediatric "
        "patients with {disease}",
        "An open-label extension study of {brand} in patients who completed the pivotal studies",
    ),
    "other": (
        "A pharmacokinetic study of {substance} in patients with hepatic impairment",
        "An in vitro study of the interaction potential of {substance} with transporters",
        "Meta-analysis of the clinical studies of {brand} to characterise {concern}",
    ),
}
STUDY_SHORT_NAMES = {
    "registry": ("Pregnancy registry", "Disease registry", "Registry study"),
    "drug_utilisation": ("Drug utilisation study", "DUS", "aRMM effectiveness survey"),
    "observational_cohort": ("Long-term safety study", "PASS", "Comparative cohort study"),
    "clinical_trial": ("Extension study", "Paediatric study", "Phase 4 study"),
    "other": ("PK study", "Meta-analysis", "In vitro study"),
}
STUDY_CODE_PREFIXES = ("OBS", "EFC", "LTS", "PAS", "DUS", "REG", "CT", "MA")
STUDY_PURPOSES = (
    "To characterise the risk of {concerns} in routine clinical practice.",
    "To evaluate the effectiveness of the additional risk minimisation measures.",
    "To collect long-term safety data in patients with {disease}, including {concerns}.",
    "To further characterise {concerns} in populations not studied in the clinical programme.",
    "To describe the use of {brand} in clinical practice, including off-label use.",
)
EVENT_DUE = (
    "Within 6 months of LPLV",
    "12 months after study end",
    "At study completion",
    "6 months after database lock",
    "With the next PSUR",
)

# Indications: (therapeutic group, disease, specialist).
INDICATIONS = (
    ("antineoplastic agents", "relapsed or refractory multiple myeloma", "haematologist"),
    ("antineoplastic agents", "metastatic non-small cell lung cancer", "oncologist"),
    ("antineoplastic agents", "HER2-positive metastatic breast cancer", "oncologist"),
    ("antineoplastic agents", "advanced renal cell carcinoma", "oncologist"),
    ("antineoplastic agents", "chronic lymphocytic leukaemia", "haematologist"),
    (
        "antineoplastic agents",
        "relapsed or refractory diffuse large B-cell lymphoma",
        "haematologist",
    ),
    ("antineoplastic agents", "acute myeloid leukaemia", "haematologist"),
    ("antineoplastic agents", "unresectable or metastatic melanoma", "oncologist"),
    ("antineoplastic agents", "metastatic colorectal cancer", "oncologist"),
    ("antineoplastic agents", "advanced hepatocellular carcinoma", "oncologist"),
    ("antineoplastic agents", "metastatic castration-resistant prostate cancer", "oncologist"),
    ("antineoplastic agents", "advanced ovarian cancer", "oncologist"),
    ("immunosuppressants", "relapsing forms of multiple sclerosis", "neurologist"),
    ("immunosuppressants", "moderately to severely active rheumatoid arthritis", "rheumatologist"),
    ("immunosuppressants", "moderate to severe plaque psoriasis", "dermatologist"),
    (
        "immunosuppressants",
        "moderately to severely active ulcerative colitis",
        "gastroenterologist",
    ),
    ("immunosuppressants", "moderately to severely active Crohn's disease", "gastroenterologist"),
    ("immunosuppressants", "active psoriatic arthritis", "rheumatologist"),
    ("immunosuppressants", "neuromyelitis optica spectrum disorder", "neurologist"),
    ("immunosuppressants", "generalised myasthenia gravis", "neurologist"),
    ("immunosuppressants", "paroxysmal nocturnal haemoglobinuria", "haematologist"),
    (
        "immunosuppressants",
        "prophylaxis of organ rejection in kidney transplant recipients",
        "transplant physician",
    ),
    ("drugs used in diabetes", "type 2 diabetes mellitus", "physician"),
    ("drugs used in diabetes", "type 1 diabetes mellitus", "diabetologist"),
    ("lipid modifying agents", "primary hypercholesterolaemia or mixed dyslipidaemia", "physician"),
    ("cardiac therapy", "chronic heart failure with reduced ejection fraction", "cardiologist"),
    (
        "antithrombotic agents",
        "prevention of stroke in non-valvular atrial fibrillation",
        "physician",
    ),
    (
        "antithrombotic agents",
        "treatment of deep vein thrombosis and pulmonary embolism",
        "physician",
    ),
    ("antihypertensives", "pulmonary arterial hypertension", "cardiologist"),
    ("psycholeptics", "schizophrenia", "psychiatrist"),
    ("psychoanaleptics", "major depressive disorder", "psychiatrist"),
    ("antiepileptics", "focal-onset seizures", "neurologist"),
    ("analgesics", "prevention of migraine", "neurologist"),
    ("antivirals for systemic use", "HIV-1 infection", "physician experienced in HIV infection"),
    ("antivirals for systemic use", "chronic hepatitis C", "hepatologist"),
    ("antivirals for systemic use", "chronic hepatitis B", "hepatologist"),
    ("antibacterials for systemic use", "complicated urinary tract infections", "physician"),
    ("antihemorrhagics", "haemophilia A", "haematologist"),
    ("antihemorrhagics", "haemophilia B", "haematologist"),
    (
        "other alimentary tract products",
        "Fabry disease",
        "physician experienced in metabolic disorders",
    ),
    (
        "other alimentary tract products",
        "Gaucher disease type 1",
        "physician experienced in metabolic disorders",
    ),
    ("other nervous system drugs", "spinal muscular atrophy", "neurologist"),
    ("other respiratory system products", "cystic fibrosis", "respiratory physician"),
    (
        "drugs for obstructive airway diseases",
        "severe eosinophilic asthma",
        "respiratory physician",
    ),
    (
        "drugs for obstructive airway diseases",
        "chronic obstructive pulmonary disease",
        "respiratory physician",
    ),
    ("other dermatological preparations", "moderate to severe atopic dermatitis", "dermatologist"),
    ("drugs for treatment of bone diseases", "postmenopausal osteoporosis", "physician"),
    ("antiobesity preparations", "weight management in adults with obesity", "physician"),
    ("antianemic preparations", "anaemia associated with chronic kidney disease", "nephrologist"),
    ("ophthalmologicals", "neovascular age-related macular degeneration", "ophthalmologist"),
    ("urologicals", "overactive bladder", "physician"),
    ("sex hormones", "hypoactive sexual desire disorder", "physician"),
    ("vaccines", "prevention of respiratory syncytial virus disease", "physician"),
    ("other haematological agents", "hereditary angioedema", "physician experienced in angioedema"),
    ("other haematological agents", "sickle cell disease", "haematologist"),
    ("endocrine therapy", "acromegaly", "endocrinologist"),
    ("muscle relaxants", "Duchenne muscular dystrophy", "neurologist"),
    ("immunostimulants", "chronic immune thrombocytopenia", "haematologist"),
)
INDICATION_QUALIFIERS = (
    "",
    " who have received at least one prior therapy",
    " who are not candidates for, or have failed, conventional therapy",
    " in combination with standard of care",
    " as monotherapy or in combination with other medicinal products",
    " whose disease has progressed after prior treatment",
)

# Active substance names: a prefix, a middle syllable and an INN stem, with the route the
# stem implies. Prefixes are two letters and middles three, so no name can be read two ways.
SUBSTANCE_PREFIXES = (
    "ba", "be", "bo", "da", "de", "do", "fa", "fe", "fo", "ga", "ge", "go", "ja", "jo", "ka",
    "ke", "ko", "la", "le", "lo", "ma", "me", "mo", "na", "ne", "no", "pa", "pe", "po", "qa",
    "ra", "re", "ro", "sa", "se", "so", "ta", "te", "to", "va", "ve", "vo", "xa", "xe", "xo",
    "ya", "yo", "za", "ze", "zo",
)  # fmt: skip
SUBSTANCE_MIDDLES = (
    "bal", "ban", "dor", "fen", "gal", "kan", "lan", "lor", "mar", "mel", "nor", "pal", "par",
    "ral", "ren", "rol", "sal", "sen", "tal", "tan", "tor", "val", "ven", "vir", "zal", "zen",
    "qir", "xal", "dul", "fos",
)  # fmt: skip
SUBSTANCE_STEMS = (
    ("tinib", "oral"),
    ("rafenib", "oral"),
    ("ciclib", "oral"),
    ("parib", "oral"),
    ("gliflozin", "oral"),
    ("gliptin", "oral"),
    ("sartan", "oral"),
    ("vastatin", "oral"),
    ("xaban", "oral"),
    ("tegravir", "oral"),
    ("previr", "oral"),
    ("buvir", "oral"),
    ("lisib", "oral"),
    ("zomib", "intravenous"),
    ("tuzumab", "intravenous"),
    ("lizumab", "subcutaneous"),
    ("cimab", "subcutaneous"),
    ("kinumab", "subcutaneous"),
    ("tamab", "intravenous"),
    ("cept", "subcutaneous"),
    ("glutide", "subcutaneous"),
    ("parin", "subcutaneous"),
    ("platin", "intravenous"),
    ("taxel", "intravenous"),
    ("rubicin", "intravenous"),
    ("siran", "subcutaneous"),
    ("nersen", "intrathecal"),
    ("gene", "intravenous"),
    ("dronate", "oral"),
    ("semide", "oral"),
)

ROUTES = {
    "oral": (
        ("oral use", "film-coated tablet"),
        ("oral use", "hard capsule"),
        ("oral use", "prolonged-release tablet"),
        ("oral use", "oral solution"),
    ),
    "intravenous": (
        ("intravenous use", "concentrate for solution for infusion"),
        ("intravenous use", "powder for concentrate for solution for infusion"),
    ),
    "subcutaneous": (
        ("subcutaneous use", "solution for injection in pre-filled pen"),
        ("subcutaneous use", "solution for injection in pre-filled syringe"),
    ),
    "intrathecal": (("intrathecal use", "solution for injection"),),
}

# Brand names: a capitalised prefix, a middle syllable and an ending.
BRAND_PREFIXES = (
    "Za", "Vo", "Qu", "Xe", "Ty", "Ny", "Ori", "Ela", "Ivo", "Ulo", "Ara", "Exo", "Cy", "Ky",
    "Lu", "Mi", "Pa", "Re", "Sy", "Ve", "Bri", "Dro", "Fle", "Gly", "Hy", "Jo", "Ko", "Ne",
    "Pro", "Tre",
)  # fmt: skip
BRAND_MIDDLES = (
    "vex", "lan", "dor", "mir", "nol", "tav", "rix", "zel", "quin", "fyr", "lux", "sim", "trel",
    "bel", "cor", "dal", "gan", "hev", "jal", "kor", "lev", "mav", "nex", "pir", "rov", "sol",
    "tiv", "vyn", "wel", "zor",
)  # fmt: skip
BRAND_ENDINGS = (
    "a", "ix", "o", "ara", "ida", "yn", "eon", "ent", "is", "ova", "elle", "iq", "um", "esa",
    "ora", "io", "ax", "ene", "ity", "ava",
)  # fmt: skip

# Companies: an invented name and a legal form; ``synthetic_build.companies()`` picks 150.
COMPANY_ROOTS = (
    "Quenvar", "Tessaly", "Morvane", "Ostrell", "Calveda", "Brennick", "Ardentis", "Lumorra",
    "Veltrane", "Norvelle", "Saphiro", "Kelvane", "Drummond Vale", "Austerra", "Fennick",
    "Halvorsen", "Ilvana", "Jorvik", "Korrane", "Lindqvar", "Marevia", "Nordhavn", "Oberlin",
    "Pelagra", "Quillon", "Rovena", "Sundqvist", "Talvora", "Umbria Ridge", "Varenne",
    "Westmarch", "Yssel", "Zanthea", "Aurevo", "Belmora", "Corvanne", "Delvaux", "Elstree",
    "Farnholm", "Gravenor",
)  # fmt: skip
COMPANY_KINDS = (
    "Pharma",
    "Biologics",
    "Therapeutics",
    "Laboratories",
    "Healthcare",
    "Biosciences",
    "Medicines",
    "Pharmaceuticals",
)
COMPANY_FORMS = ("B.V.", "GmbH", "Ltd", "S.A.", "A/S", "S.p.A.", "AB", "Europe B.V.")

# Milestones, in the order a study reaches them.
MILESTONE_PROTOCOL = "Protocol submission"
MILESTONE_START = "Start of data collection"
MILESTONE_INTERIM = "Interim report"
MILESTONE_FINAL = "Final report"
